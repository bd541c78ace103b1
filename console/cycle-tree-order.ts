/**
 * The start page's list as the Party tree: each cycle followed by its child cycles (the committees under it running
 * their own), indented by depth. A cycle whose superior's cycle is not in the list (another committee's, out of a
 * scoped user's view) stands at the top. Pure; the list's own order (newest first) is kept among siblings.
 */
export interface TreeItem {
  id: string;
  parentId?: string | undefined;
}

export function treeOrder<T extends TreeItem>(items: readonly T[]): Array<T & { depth: number }> {
  const ids = new Set(items.map((i) => i.id));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const item of items) {
    if (item.parentId && ids.has(item.parentId) && item.parentId !== item.id)
      children.set(item.parentId, [...(children.get(item.parentId) ?? []), item]);
    else roots.push(item);
  }
  const out: Array<T & { depth: number }> = [];
  const seen = new Set<string>();
  const visit = (item: T, depth: number) => {
    if (seen.has(item.id)) return;
    seen.add(item.id);
    out.push({ ...item, depth });
    for (const child of children.get(item.id) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // A cycle of parents (impossible through `cycle start`) is still listed, at the top.
  for (const item of items) visit(item, 0);
  return out;
}
