// The reporting month in the URL (`?month=YYYY-MM`) and on every internal link: the one home of
// the mechanism (components/MonthDropdown.svelte, components/MonthLinks.svelte use it).
// Presentation only: no KPI is computed here.

/** A reporting month key. */
export const MONTH_RE = /^\d{4}-\d{2}$/;

/** The `?month=` of a URL when it is a month key ('YYYY-MM'), else null. */
export function monthFromUrl(url) {
	try {
		const m = url?.searchParams?.get('month');
		return m && MONTH_RE.test(m) ? m : null;
	} catch {
		// During prerendering SvelteKit forbids url.searchParams: no month then.
		return null;
	}
}

/** Paths that are not report pages (Evidence internals, data and static files). */
const NOT_A_PAGE = /^\/(?:_app|api|data|fonts|icons?)\/|\.[a-z0-9]{1,6}$/i;

/**
 * `href` with `?month=` set when it is an internal link to a report page (same origin, starts
 * with '/', not a file); otherwise `href` unchanged. Keeps the hash and other parameters.
 *   withMonth('/branches/BJ01/', '2026-09') → '/branches/BJ01/?month=2026-09'
 */
export function withMonth(href, month, origin = 'http://x') {
	if (!href || !month || !MONTH_RE.test(month)) return href;
	if (!href.startsWith('/') || href.startsWith('//')) return href;
	const u = new URL(href, origin);
	if (NOT_A_PAGE.test(u.pathname)) return href;
	if (u.searchParams.get('month') === month) return href;
	u.searchParams.set('month', month);
	return u.pathname + u.search + u.hash;
}

/** Sets `?month=` on every internal report-page link under `root` (only where it differs). */
export function carryMonth(root, month) {
	if (!root || !month) return;
	for (const a of root.querySelectorAll('a[href^="/"]')) {
		const href = a.getAttribute('href');
		const next = withMonth(href, month, window.location.origin);
		if (next !== href) a.setAttribute('href', next);
	}
}
