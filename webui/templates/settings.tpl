% # Box-wide settings checked as the CLI checks them, each with a way to try it now (webui.admin.settings_check).
% rebase('base.tpl', title=_('Check settings'), nav='/settings', refresh=None)
% def banner(here):
%   if here != section:
%     return
%   end
%   if error:
<p class="banner warn" role="alert">{{error}}</p>
%   elif done:
<p class="banner ok" role="status">{{done}}</p>
%   end
% end
% def save_form(name, fields):
%   f = values[name]
<details class="settings-edit"{{!' open' if section == name and error else ''}}>
  <summary>{{_('Change')}}</summary>
  <form method="post" action="/settings/save" class="form">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <input type="hidden" name="section" value="{{name}}">
%   for key, text, kind, extra in fields:
%     if kind == 'textarea':
    <label class="wide">{{text}} <textarea name="{{key}}" rows="3" cols="60">{{f.get(key, '')}}</textarea></label>
%     elif kind == 'select':
    <label>{{text}} <select name="{{key}}">
%       for choice in extra:
      <option value="{{choice}}"{{!' selected' if f.get(key) == choice else ''}}>{{choice}}</option>
%       end
    </select></label>
%     elif kind == 'checkbox':
    <label><input type="checkbox" name="{{key}}" value="yes"{{!' checked' if f.get(key) in ('yes', 'true', 'on', '1') else ''}}> {{text}}</label>
%     elif kind == 'password':
    <label>{{text}} <input name="{{key}}" type="password" autocomplete="new-password" placeholder="{{_('unchanged')}}" size="16"></label>
%     else:
    <label>{{text}} <input name="{{key}}" value="{{f.get(key, '')}}"{{!' type="%s"' % kind if kind != 'text' else ''}} size="{{extra or 20}}"></label>
%     end
%   end
    <button type="submit">{{_('Save')}}</button>
  </form>
</details>
% end
<h1>{{_('Check settings')}}</h1>
<p class="muted small">{{_('These settings are in callbox.ini (the file’s sections are named in brackets). Each is checked here as the callbox command checks it, and can be tried now.')}} {{_('Saving a change writes it to the file; the processes that read it restart by themselves.')}}</p>
% banner('')

<h2 id="numbers">{{_('Numbering')}} <span class="muted small">[numbers]</span></h2>
% banner('numbers')
% if numbers['error']:
<p class="banner warn">{{numbers['error']}}</p>
% end
% v = numbers['values']
<dl class="cards">
% for key, text in (('country', _('Country')), ('access_codes', _('Access codes')), ('area_codes', _('Area codes')), ('extensions', _('Extensions'))):
  <div><dt>{{text}}</dt><dd class="small">{{v.get(key) or '—'}}</dd></div>
% end
</dl>
<form method="get" action="/settings" class="form search">
  <label>{{_('A dialled number')}} <input name="number" value="{{number}}" size="16" placeholder="{{_('as the PBX prints it')}}"></label>
  <button type="submit">{{_('Classify')}}</button>
</form>
% save_form('numbers', (('country', _('Country'), 'text', 4), ('access_codes', _('Access codes'), 'text', 8), ('area_codes', _('Area codes'), 'text', 12), ('extensions', _('Extensions'), 'text', 20)))
% r = numbers['result']
% if r is not None:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Number')}}</th><th>{{_('Number class')}}</th><th>{{_('Country')}}</th><th>{{_('Operator')}}</th><th>{{_('Region')}}</th></tr></thead>
  <tbody><tr><td class="num">{{r.e164 or r.number}}</td><td>{{kind_label(r.kind)}}</td><td>{{r.country or '—'}}</td><td>{{r.operator or '—'}}</td><td>{{r.region or '—'}}</td></tr></tbody>
</table></div>
% end

<h2 id="mail">{{_('E-mail')}} <span class="muted small">[mail]</span></h2>
% banner('mail')
% if not mail.host or not mail.from_address:
<p class="muted">{{_('E-mail is not configured: set [mail] host and from_address.')}}</p>
% else:
<p>{{mail.host}}:{{mail.port}} · {{mail.security}} · {{_('from')}} {{mail.from_address}}{{(' · ' + _('login') + ' ' + mail.username) if mail.username else ''}}</p>
<form method="post" action="/settings/test" class="form search">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="kind" value="mail">
  <label>{{_('To')}} <input name="to" type="email" value="{{to}}" required></label>
  <button type="submit">{{_('Send a test message')}}</button>
</form>
% end
% save_form('mail', (('host', _('SMTP server'), 'text', 24), ('port', _('Port'), 'number', 6), ('security', _('Encryption'), 'select', ('starttls', 'ssl', 'none')), ('from_address', _('Sender address'), 'text', 28), ('username', _('Login'), 'text', 16), ('password', _('Password'), 'password', None), ('tls_verify', _('Check the server’s certificate'), 'checkbox', None), ('timeout_s', _('Timeout (s)'), 'number', 5), ('language', _('Language of e-mails to people without an account'), 'select', ('en', 'tr', 'bg', 'az', 'cs', 'nb'))))

<h2 id="upload">{{_('File servers')}} <span class="muted small">[upload]</span></h2>
% banner('upload')
% if targets_error:
<p class="banner warn">{{targets_error}}</p>
% elif not targets:
<p class="muted">{{_('No file server is configured ([upload] targets).')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Name')}}</th><th>{{_('Server')}}</th><th>{{_('Directory')}}</th><th></th></tr></thead>
  <tbody>
% for t in targets.values():
    <tr><td>{{t.name}}</td><td>{{t.scheme}}://{{t.user}}@{{t.host}}:{{t.port}}</td><td>{{('/' if t.absolute else '~/') + '/'.join(t.dirs)}}</td>
      <td><form method="post" action="/settings/test" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="kind" value="upload">
        <input type="hidden" name="target" value="{{t.name}}"><button type="submit">{{_('Send a test file')}}</button></form></td></tr>
% end
  </tbody>
</table></div>
% end
% save_form('upload', (('targets', _('File servers, one per line: NAME = URL'), 'textarea', None), ('path', _('File path on the server'), 'text', 24)))

<h2 id="snmp">{{_('SNMP managers')}} <span class="muted small">[snmp]</span></h2>
% banner('snmp')
% if snmp_error:
<p class="banner warn">{{snmp_error}}</p>
% elif not managers:
<p class="muted">{{_('No SNMP manager is configured ([snmp] managers): no traps are sent.')}}</p>
% else:
<ul>
% for m in managers:
  <li>{{m.label}}</li>
% end
</ul>
<form method="post" action="/settings/test" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="kind" value="trap">
  <button type="submit">{{_('Send a test trap')}}</button>
</form>
% end
% save_form('snmp', (('managers', _('SNMP managers, one per line'), 'textarea', None), ('engine_id', _('Engine id (hex)'), 'text', 28)))

<h2 id="directory">{{_('Hunt groups')}} <span class="muted small">[directory] hunt_groups</span></h2>
% banner('directory')
% if hunt_groups():
<p>{{!', '.join(hunt_group_html(name, number) for number, name in hunt_groups().items())}}</p>
% else:
<p class="muted">{{_('No hunt group is named: calls to a group’s number are shown as calls to that number.')}}</p>
% end
% save_form('directory', (('hunt_groups', _('Hunt groups, one per line: NUMBER = NAME'), 'textarea', None),))
