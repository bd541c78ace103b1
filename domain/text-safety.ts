/**
 * Text that must not get past a door: a NUL character (PostgreSQL's text and jsonb cannot hold U+0000) and an
 * unpaired UTF-16 surrogate (no UTF-8 encoding; jsonb refuses its escape, other drivers would store U+FFFD). Either
 * would make the activity that stores it fail on every retry, so it is refused where it comes in, with the field
 * named. Pure: used by the API, the CLI and the workflows' update validators.
 */

// eslint-disable-next-line no-control-regex -- U+0000 is what this refuses
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` holds a NUL character or an unpaired surrogate. */
export function isUnsafeText(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * The path (keys and list indexes) of the first string or key in `value` that is unsafe, or undefined when there
 * is none; [] for the value itself. Iterative, so a deeply nested value cannot overflow the stack.
 */
export function unsafeTextSegments(value: unknown): (string | number)[] | undefined {
  const stack: Array<{ v: unknown; path: (string | number)[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (isUnsafeText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (isUnsafeText(k)) return [...path, k.replace(new RegExp(UNSAFE.source, 'g'), '\ufffd')];
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
  return undefined;
}

/** The same as a dotted path ("payload.note", "models.2.name", "" for the value itself). */
export function unsafeTextPath(value: unknown): string | undefined {
  return unsafeTextSegments(value)?.join('.');
}

/** The Vietnamese refusal for an unsafe field. */
export function unsafeTextMessage(path: string): string {
  return `${path ? `${path}: ` : ''}có ký tự không hợp lệ (ký tự NUL hoặc ký tự Unicode hỏng); xin gõ lại nội dung này`;
}
