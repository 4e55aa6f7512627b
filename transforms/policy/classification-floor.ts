import type { FiveClass } from './five-category.js';

/**
 * Regulatory floor of the five-category classification (五级分类下限): the typed in-memory form.
 * The rules themselves are data in `policy/classification-floor.yaml` (or the operator's
 * `policyDir`), read and checked by `loadPolicy` (transforms/policy/read-policy.ts).
 *
 * The defaults follow the 2023 measures on financial-asset risk classification
 * (《商业银行金融资产风险分类办法》, NFRA/PBoC Order 2023 No. 1): past-due days put a floor
 * under the class a lender may record, and a restructured asset is at least 次级 during its
 * observation period. The floor of a loan-month is the most severe class any rule gives;
 * a recorded class milder than the floor is "under-classified".
 *
 * Change a threshold in the policy file (or pass `rules.floor` to `buildWarehouse`) and rebuild;
 * every model that classifies reads these values. Documented in docs/classification.md.
 *
 * @example
 * // a loan 91 days past due has floor 次级: the first rule with overDays < 91 from the top
 * loadPolicy().floor.dpd.find((r) => 91 > r.overDays)?.floor; // '次级'
 */
export interface FloorRules {
  /** Days-past-due floors, most severe first: `days_past_due > overDays` → at least `floor`. */
  readonly dpd: readonly { readonly overDays: number; readonly floor: FiveClass }[];
  /** Restructured loans (重组): at least `floor` from `restructured_on` for `observationMonths` months. */
  readonly restructured: { readonly floor: FiveClass; readonly observationMonths: number };
}
