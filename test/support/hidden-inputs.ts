/** The hidden fields of one form of a chuky page, for tests that post a page's own form again (busy pages). */

/** The HTML escapes chuky's pages write, undone. */
export const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Every `<input type="hidden">` of the form with this id, by name (chuky's own markup, attributes in this order). */
export function hiddenInputs(page: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(page)?.[1];
  if (form === undefined) throw new Error(`no form #${formId} in the page:\n${page}`);
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) out[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return out;
}
