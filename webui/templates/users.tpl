% # Accounts and the audit log, for administrators of the whole box. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('Users'), nav='/users', refresh=None)
<h1>{{_('Users')}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% elif added:
<p class="banner ok">{{_('User {name} added.').format(name=added)}}</p>
% end
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Username')}}</th><th>{{_('Role')}}</th><th>{{_('Scope')}}</th><th>{{_('Tenant')}}</th><th>{{_('Person')}}</th><th>{{_('State')}}</th></tr></thead>
  <tbody>
% from urllib.parse import quote
% for u in users:
    <tr><td><a href="/users/edit?username={{quote(u.username, safe='')}}">{{u.username}}</a></td><td>{{term(u.role)}}</td>
      <td>{{term(u.scope)}}</td><td>{{u.tenant}}</td><td>{{u.person}}</td>
% if u.username in disabled:
      <td><span class="pill down" data-state="disabled">{{_('disabled')}}</span></td></tr>
% else:
      <td><span class="pill up" data-state="enabled">{{_('enabled')}}</span></td></tr>
% end
% end
  </tbody>
</table></div>

<h2>{{_('Add a user')}}</h2>
<form method="post" action="/users" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Username')}} <input name="username" required value="{{form.get('username', '')}}"></label>
    <label>{{_('Password')}} <input name="password" type="password" autocomplete="new-password" required></label></p>
  <p><label>{{_('Role')}} <select name="role">
% for r in roles:
    <option value="{{r}}"{{!' selected' if r == form.get('role') else ''}}>{{term(r)}}</option>
% end
  </select></label>
  <label>{{_('Scope')}} <select name="scope"><option value="">{{_("the role's default")}}</option>
% for s in scopes:
    <option value="{{s}}"{{!' selected' if s == form.get('scope') else ''}}>{{term(s)}}</option>
% end
  </select></label>
  <label>{{_('Tenant')}} <select name="tenant"><option value="">{{_('none (the whole box)')}}</option>
% for t in tenants:
    <option value="{{t}}"{{!' selected' if t == form.get('tenant') else ''}}>{{t}}</option>
% end
  </select></label>
  <label>{{_('Person id')}} <input name="person" size="10" value="{{form.get('person', '')}}"></label></p>
  <p><button type="submit">{{_('Add user')}}</button></p>
</form>

<h2>{{_('Audit log')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Time (UTC)')}}</th><th>{{_('Who')}}</th><th>{{_('What')}}</th><th>{{_('Whom')}}</th><th>{{_('Detail')}}</th><th>{{_('From')}}</th></tr></thead>
  <tbody>
% for e in audit:
    <tr><td class="num">{{fmt_datetime(e['at_utc'], 0)}}</td><td>{{e['actor']}}</td><td>{{action_text(e['action'])}}</td>
      <td>{{target_text(e['target'])}}</td><td class="text">{{detail_text(e['detail'], e['action'])}}</td><td>{{e['address']}}</td></tr>
% end
  </tbody>
</table></div>
