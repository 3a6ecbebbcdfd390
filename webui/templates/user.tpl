% # One account: change its access, reset its password, disable or enable it. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('Users'), nav='/users', refresh=None)
<p class="small"><a href="/users">← {{_('All users')}}</a></p>
<h1>{{_('User {name}').format(name=account.username)}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end
<p>{{term(account.role)}} · {{_('scope')}} {{term(account.scope)}}{{(' · ' + _('tenant') + ' ' + account.tenant) if account.tenant else ''}}{{(' · ' + _('person') + ' ' + account.person) if account.person else ''}} ·
% if disabled:
<span class="pill down">{{_('disabled')}}</span>
% else:
<span class="pill up">{{_('enabled')}}</span>
% end
</p>

<h2>{{_('Access')}}</h2>
<form method="post" action="/users/access" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <p><label>{{_('Role')}} <select name="role">
% for r in roles:
    <option value="{{r}}"{{!' selected' if r == access['role'] else ''}}>{{term(r)}}</option>
% end
  </select></label>
  <label>{{_('Scope')}} <select name="scope"><option value="">{{_("the role's default")}}</option>
% for s in scopes:
    <option value="{{s}}"{{!' selected' if s == access['scope'] else ''}}>{{term(s)}}</option>
% end
  </select></label>
  <label>{{_('Tenant')}} <select name="tenant"><option value="">{{_('none (the whole box)')}}</option>
% for t in tenants:
    <option value="{{t}}"{{!' selected' if t == access['tenant'] else ''}}>{{t}}</option>
% end
  </select></label>
  <label>{{_('Person id')}} <input name="person" size="10" value="{{access['person']}}"></label></p>
  <p><button type="submit">{{_('Change access')}}</button></p>
</form>

<h2>{{_('Reset the password')}}</h2>
<form method="post" action="/users/password" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <p><label>{{_('New password')}} <input name="password" type="password" autocomplete="new-password" required></label>
    <label>{{_('Again')}} <input name="password2" type="password" autocomplete="new-password" required></label></p>
  <p><button type="submit">{{_('Set the password')}}</button> <span class="muted small">{{_("The user's sessions end.")}}</span></p>
</form>

<h2>{{_('Enable') if disabled else _('Disable')}}</h2>
<form method="post" action="/users/disabled" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="username" value="{{account.username}}">
  <input type="hidden" name="disabled" value="{{'0' if disabled else '1'}}">
% if disabled:
  <p><button type="submit">{{_('Enable {name}').format(name=account.username)}}</button></p>
% else:
  <p><button type="submit">{{_('Disable {name}').format(name=account.username)}}</button>
    <span class="muted small">{{_('A disabled user cannot log in, and their sessions end at once.')}}</span></p>
% end
</form>

<h2>{{_('Audit log for {name}').format(name=account.username)}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Time (UTC)')}}</th><th>{{_('Who')}}</th><th>{{_('What')}}</th><th>{{_('Detail')}}</th><th>{{_('From')}}</th></tr></thead>
  <tbody>
% for e in history:
    <tr><td class="num">{{fmt_datetime(e['at_utc'], 0)}}</td><td>{{e['actor']}}</td><td>{{action_text(e['action'])}}</td>
      <td>{{detail_text(e['detail'], e['action'])}}</td><td>{{e['address']}}</td></tr>
% end
  </tbody>
</table></div>
