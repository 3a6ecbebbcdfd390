% # One account: change its access, reset its password, disable or enable it. Every value is escaped by {{ }}.
% rebase('base.tpl', title='Users', refresh=None)
% from datetime import datetime, timezone
% def utc(t):
%   return datetime.fromtimestamp(t, timezone.utc).strftime('%Y-%m-%d %H:%M:%S')
% end
<p class="small"><a href="/users">← All users</a></p>
<h1>User {{account.username}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end
<p>{{account.role}} · scope {{account.scope}}{{' · tenant ' + account.tenant if account.tenant else ''}}{{' · person ' + account.person if account.person else ''}} ·
% if disabled:
<span class="pill down">disabled</span>
% else:
<span class="pill up">enabled</span>
% end
</p>

<h2>Access</h2>
<form method="post" action="/users/access" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <p><label>Role <select name="role">
% for r in roles:
    <option{{!' selected' if r == account.role else ''}}>{{r}}</option>
% end
  </select></label>
  <label>Scope <select name="scope"><option value="">the role's default</option>
% for s in scopes:
    <option{{!' selected' if s == account.scope else ''}}>{{s}}</option>
% end
  </select></label>
  <label>Tenant <input name="tenant" size="10" value="{{account.tenant}}"></label>
  <label>Person id <input name="person" size="10" value="{{account.person}}"></label></p>
  <p><button type="submit">Change access</button></p>
</form>

<h2>Reset the password</h2>
<form method="post" action="/users/password" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <p><label>New password <input name="password" type="password" autocomplete="new-password" required></label>
    <label>Again <input name="password2" type="password" autocomplete="new-password" required></label></p>
  <p><button type="submit">Set the password</button> <span class="muted small">The user's sessions end.</span></p>
</form>

<h2>{{'Enable' if disabled else 'Disable'}}</h2>
<form method="post" action="/users/disabled" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <input type="hidden" name="disabled" value="{{'0' if disabled else '1'}}">
% if disabled:
  <p><button type="submit">Enable {{account.username}}</button></p>
% else:
  <p><button type="submit">Disable {{account.username}}</button>
    <span class="muted small">A disabled user cannot log in, and their sessions end at once.</span></p>
% end
</form>

<h2>Audit log for {{account.username}}</h2>
<div class="scroll"><table>
  <thead><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Detail</th><th>From</th></tr></thead>
  <tbody>
% for e in history:
    <tr><td class="num">{{utc(e['at_utc'])}}</td><td>{{e['actor']}}</td><td>{{e['action']}}</td>
      <td>{{e['detail']}}</td><td>{{e['address']}}</td></tr>
% end
  </tbody>
</table></div>
