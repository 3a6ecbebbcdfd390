% # Accounts and the audit log, for administrators of the whole box. Every value is escaped by {{ }}.
% rebase('base.tpl', title='Users', refresh=None)
% from datetime import datetime, timezone
% def utc(t):
%   return datetime.fromtimestamp(t, timezone.utc).strftime('%Y-%m-%d %H:%M:%S')
% end
<h1>Users</h1>
% if error:
<p class="banner warn">{{error}}</p>
% elif added:
<p class="banner ok">User {{added}} added.</p>
% end
<div class="scroll"><table>
  <thead><tr><th>Username</th><th>Role</th><th>Scope</th><th>Tenant</th><th>Person</th><th>State</th></tr></thead>
  <tbody>
% from urllib.parse import quote
% for u in users:
    <tr><td><a href="/users/edit?username={{quote(u.username, safe='')}}">{{u.username}}</a></td><td>{{u.role}}</td>
      <td>{{u.scope}}</td><td>{{u.tenant}}</td><td>{{u.person}}</td>
      <td>{{!'<span class="pill down">disabled</span>' if u.username in disabled else '<span class="pill up">enabled</span>'}}</td></tr>
% end
  </tbody>
</table></div>

<h2>Add a user</h2>
<form method="post" action="/users" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>Username <input name="username" required></label>
    <label>Password <input name="password" type="password" autocomplete="new-password" required></label></p>
  <p><label>Role <select name="role">
% for r in roles:
    <option>{{r}}</option>
% end
  </select></label>
  <label>Scope <select name="scope"><option value="">the role's default</option>
% for s in scopes:
    <option>{{s}}</option>
% end
  </select></label>
  <label>Tenant <input name="tenant" size="10"></label>
  <label>Person id <input name="person" size="10"></label></p>
  <p><button type="submit">Add user</button></p>
</form>

<h2>Audit log</h2>
<div class="scroll"><table>
  <thead><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Whom</th><th>Detail</th><th>From</th></tr></thead>
  <tbody>
% for e in audit:
    <tr><td class="num">{{utc(e['at_utc'])}}</td><td>{{e['actor']}}</td><td>{{e['action']}}</td>
      <td>{{e['target']}}</td><td>{{e['detail']}}</td><td>{{e['address']}}</td></tr>
% end
  </tbody>
</table></div>
