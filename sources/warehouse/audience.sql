-- Whose data this site shows (one row). The head-office build ships this row; each branch site's copy
-- (transforms/publish/site/audiences/) replaces it with the branch's own row, so a page can say whose
-- data it shows and leave out links to pages the branch site does not contain (docs/report-site.md,
-- "Audience sites").
-- book_totals: 'yes' when the site also shows whole-bank figures (config siteAudiences.shareWithBranches).
select 'ho' as audience_id, 'ho' as kind, '' as branch_id, '总行' as label_zh, 'Head office' as label_en, 'yes' as book_totals
