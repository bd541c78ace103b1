/** Console users (admins only): the list, adding a user, disabling and enabling one. */
import { html } from 'hono/html';
import type { ConsoleDeps, Ctx } from '../context.js';
import { viDateTime } from '../format.js';
import { BASE, csrfField, layout, messageBox } from '../html.js';
import { ROLES, ROLE_LABEL_VI } from '../permissions.js';
import type { ConsoleRouter } from '../router.js';
import { addUser, disableUser, enableUser, listUsers, UserError } from '../users.js';
import { MIN_PASSWORD_LENGTH } from '../passwords.js';

async function usersPage(c: Ctx, deps: ConsoleDeps, notice?: { kind: 'ok' | 'bad'; text: string }, status: 200 | 400 = 200) {
  const users = await listUsers(deps.db);
  const me = c.get('session')!.username;
  const body = html`<h1>Người dùng bảng điều hành</h1>
${notice ? messageBox(notice.kind, notice.text, 'users-result') : ''}
<div class="scroll"><table id="users" class="cards"><thead><tr><th>Tên đăng nhập</th><th>Họ tên</th><th>Vai trò</th><th>Đăng nhập gần nhất</th><th>Trạng thái</th><th></th></tr></thead><tbody>
${users.map(
  (
    u,
  ) => html`<tr data-user="${u.username}"><td data-label="Tên đăng nhập">${u.username}</td><td data-label="Họ tên">${u.name}</td><td data-label="Vai trò">${ROLE_LABEL_VI[u.role]}</td><td data-label="Đăng nhập gần nhất">${viDateTime(u.lastSignIn) || '—'}</td>
<td data-label="Trạng thái"><span>${u.disabledAt ? html`<span class="chip st-removed">Đã khóa</span>` : html`<span class="chip st-ontime">Đang dùng</span>`}</span></td>
<td data-label="">${u.username === me ? '' : html`<form method="post" action="${BASE}/nguoi-dung/${u.disabledAt ? 'mo-khoa' : 'khoa'}">${csrfField(c)}<input type="hidden" name="username" value="${u.username}"><button type="submit" class="secondary">${u.disabledAt ? 'Mở khóa' : 'Khóa'}</button></form>`}</td></tr>`,
)}
</tbody></table></div>
<h2>Thêm người dùng</h2>
<form method="post" action="${BASE}/nguoi-dung/them" class="card repair" id="add-user">${csrfField(c)}
<label>Tên đăng nhập<input name="username" required pattern="[a-z0-9._-]{2,64}" autocapitalize="none"></label>
<label>Họ tên<input name="name" required maxlength="200"></label>
<label>Vai trò<select name="role">${ROLES.map((r) => html`<option value="${r}"${r === 'clerk' ? html` selected` : ''}>${ROLE_LABEL_VI[r]}</option>`)}</select></label>
<label>Mật khẩu (ít nhất ${MIN_PASSWORD_LENGTH} ký tự)<input name="password" type="password" required minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password"></label>
<button type="submit">Thêm</button></form>
<p class="muted">Từ dòng lệnh: <code>chuky console user add --username … --role clerk --name "…" --password-stdin</code>.</p>`;
  return c.html(layout(c, 'Người dùng', body, { current: `${BASE}/nguoi-dung` }), status);
}

export function registerUsers(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/nguoi-dung', 'users.view', (c) => usersPage(c, deps));

  router.post('/nguoi-dung/them', 'users.manage', async (c) => {
    const b = await c.req.parseBody();
    const s = (k: string) => (typeof b[k] === 'string' ? b[k] : '');
    try {
      const u = await addUser(deps.db, { username: s('username'), name: s('name'), role: s('role'), password: s('password') });
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
      const b = await c.req.parseBody();
      const username = typeof b.username === 'string' ? b.username : '';
      if (!enable && username === c.get('session')!.username)
        return usersPage(c, deps, { kind: 'bad', text: 'Không tự khóa tài khoản của mình.' }, 400);
      const done = enable ? await enableUser(deps.db, username) : await disableUser(deps.db, username);
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
