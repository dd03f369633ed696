import { t } from './i18n.ts';

/** The rule a token name follows on a site, as data so the popup can check it without loading the adapter. */
export interface NameRule {
  pattern: string;
  maxLength: number;
  /** Shown when the name breaks the rule. */
  hint: string;
}

/** The message to show for a name that breaks the rule, or null when it is fine. */
export function nameProblem(rule: NameRule, name: string): string | null {
  if (!name) return t('name_empty');
  if (name.length > rule.maxLength) return t('name_tooLong', rule.maxLength);
  return new RegExp(rule.pattern).test(name) ? null : rule.hint;
}
