/** Console users (admins only): the list, adding a user, disabling and enabling one. */
import { html } from 'hono/html';
import type { ConsoleDeps, Ctx } from '../context.js';
import { viDateTime } from '../format.js';
import { BASE, csrfField, layout, messageBox } from '../html.js';
import { ROLES, ROLE_LABEL_VI } from '../permissions.js';
import type { ConsoleRouter } from '../router.js';
import { addUser, disableUser, enableUser, getUser, listUsers, UserError } from '../users.js';
import { MIN_PASSWORD_LENGTH } from '../passwords.js';
import { knownCommittees } from '../../db/committee-scope.js';
import { sees, type Scope } from '../scope.js';
import type { ConsoleUser } from '../users.js';
import { formBody } from '../../api/body.js';

/** A scoped admin sees and manages the users of its own committees only; a user of the whole deployment is not one. */
const manages = (scope: Scope, u: Pick<ConsoleUser, 'committeeCode'>) => scope.all || sees(scope, u.committeeCode);

const scopeText = (u: Pick<ConsoleUser, 'committeeCode' | 'subtree'>) =>
  u.committeeCode ? `${u.committeeCode}${u.subtree ? ' và cấp dưới' : ''}` : 'Toàn hệ thống';

async function usersPage(c: Ctx, deps: ConsoleDeps, notice?: { kind: 'ok' | 'bad'; text: string }, status: 200 | 400 = 200) {
  const scope = c.get('scope');
  const users = (await listUsers(deps.db)).filter((u) => manages(scope, u));
  const me = c.get('session')!.username;
  const committees = scope.all ? (await knownCommittees(deps.db)).map((k) => k.code) : [...scope.committees].sort();
  const body = html`<h1>Người dùng bảng điều hành</h1>
${notice ? messageBox(notice.kind, notice.text, 'users-result') : ''}
<div class="scroll"><table id="users" class="cards"><thead><tr><th>Tên đăng nhập</th><th>Họ tên</th><th>Vai trò</th><th>Phạm vi</th><th>Đăng nhập gần nhất</th><th>Trạng thái</th><th></th></tr></thead><tbody>
${users.map(
  (
    u,
  ) => html`<tr data-user="${u.username}"><td data-label="Tên đăng nhập">${u.username}</td><td data-label="Họ tên">${u.name}</td><td data-label="Vai trò">${ROLE_LABEL_VI[u.role]}</td><td data-label="Phạm vi">${scopeText(u)}</td><td data-label="Đăng nhập gần nhất">${viDateTime(u.lastSignIn) || '—'}</td>
<td data-label="Trạng thái"><span>${u.disabledAt ? html`<span class="chip st-removed">Đã khóa</span>` : html`<span class="chip st-ontime">Đang dùng</span>`}</span></td>
<td data-label="">${u.username === me ? '' : html`<form method="post" action="${BASE}/nguoi-dung/${u.disabledAt ? 'mo-khoa' : 'khoa'}">${csrfField(c)}<input type="hidden" name="username" value="${u.username}"><button type="submit" class="secondary">${u.disabledAt ? 'Mở khóa' : 'Khóa'}</button></form>`}</td></tr>`,
)}
</tbody></table></div>
<h2>Thêm người dùng</h2>
<form method="post" action="${BASE}/nguoi-dung/them" class="card repair" id="add-user">${csrfField(c)}
<label>Tên đăng nhập<input name="username" required pattern="[a-z0-9._-]{2,64}" autocapitalize="none"></label>
<label>Họ tên<input name="name" required maxlength="200"></label>
<label>Vai trò<select name="role">${ROLES.map((r) => html`<option value="${r}"${r === 'clerk' ? html` selected` : ''}>${ROLE_LABEL_VI[r]}</option>`)}</select></label>
<label>Cấp ủy<select name="committee">${scope.all ? html`<option value="">Toàn hệ thống</option>` : ''}${committees.map((k) => html`<option value="${k}">${k}</option>`)}</select></label>
${scope.all || scope.subtree ? html`<label><input type="checkbox" name="subtree" value="1"> Cả các cấp ủy trực thuộc</label>` : ''}
<label>Mật khẩu (ít nhất ${MIN_PASSWORD_LENGTH} ký tự)<input name="password" type="password" required minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password"></label>
<button type="submit">Thêm</button></form>
<p class="muted">Từ dòng lệnh: <code>chuky console user add --username … --role clerk --name "…" --password-stdin</code>.</p>`;
  return c.html(layout(c, 'Người dùng', body, { current: `${BASE}/nguoi-dung` }), status);
}

export function registerUsers(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/nguoi-dung', 'users.view', (c) => usersPage(c, deps));

  router.post('/nguoi-dung/them', 'users.manage', async (c) => {
    const b = await formBody(c);
    const s = (k: string) => (typeof b[k] === 'string' ? b[k] : '');
    try {
      const scope = c.get('scope');
      const committeeCode = s('committee').trim() || null;
      const subtree = s('subtree') === '1';
      // A scoped admin adds users of its own committees only, and grants a subtree only if it holds one.
      if (!scope.all && (!sees(scope, committeeCode) || (subtree && !scope.subtree)))
        return usersPage(c, deps, { kind: 'bad', text: 'Chỉ thêm được người dùng thuộc cấp ủy trong phạm vi của bạn.' }, 400);
      const u = await addUser(deps.db, {
        username: s('username'),
        name: s('name'),
        role: s('role'),
        password: s('password'),
        committeeCode,
        subtree,
      });
      return usersPage(c, deps, { kind: 'ok', text: `Đã thêm ${u.username} (${ROLE_LABEL_VI[u.role]}).` });
    } catch (err) {
      if (err instanceof UserError) return usersPage(c, deps, { kind: 'bad', text: err.message }, 400);
      throw err;
    }
  });

  for (const [path, enable] of [
    ['khoa', false],
    ['mo-khoa', true],
  ] as const) {
    router.post(`/nguoi-dung/${path}`, 'users.manage', async (c) => {
      const b = await formBody(c);
      const username = typeof b.username === 'string' ? b.username : '';
      if (!enable && username === c.get('session')!.username)
        return usersPage(c, deps, { kind: 'bad', text: 'Không tự khóa tài khoản của mình.' }, 400);
      // Another committee's user is answered as no user at all.
      const target = await getUser(deps.db, username);
      const done =
        target && manages(c.get('scope'), target)
          ? enable
            ? await enableUser(deps.db, username)
            : await disableUser(deps.db, username)
          : false;
      return usersPage(
        c,
        deps,
        done
          ? { kind: 'ok', text: `${enable ? 'Đã mở khóa' : 'Đã khóa'} ${username}.` }
          : { kind: 'bad', text: `Không có người dùng "${username}".` },
        done ? 200 : 400,
      );
    });
  }
}
