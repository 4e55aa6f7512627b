-- Chinese and English label of every code the site shows (core.dim_code_labels: reference data
-- only — branches, products, slices, five-category classes, customer types, grades, buckets, …).
-- Pages join it for labels instead of spelling them out; label = label_zh || ' ' || label_en.
select kind, code, label_zh, label_en, label, sort_order
from core.dim_code_labels
order by kind, sort_order
