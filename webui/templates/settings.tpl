% # Box-wide settings checked as the CLI checks them, each with a way to try it now (webui.admin.settings_check).
% rebase('base.tpl', title=_('Check settings'), nav='/settings', refresh=None)
<h1>{{_('Check settings')}}</h1>
<p class="muted small">{{_('These settings are in callbox.ini (the file’s sections are named in brackets). Each is checked here as the callbox command checks it, and can be tried now.')}}</p>
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end

<h2>{{_('Numbering')}} <span class="muted small">[numbers]</span></h2>
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
% r = numbers['result']
% if r is not None:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Number')}}</th><th>{{_('Number class')}}</th><th>{{_('Country')}}</th><th>{{_('Operator')}}</th><th>{{_('Region')}}</th></tr></thead>
  <tbody><tr><td class="num">{{r.e164 or r.number}}</td><td>{{kind_label(r.kind)}}</td><td>{{r.country or '—'}}</td><td>{{r.operator or '—'}}</td><td>{{r.region or '—'}}</td></tr></tbody>
</table></div>
% end

<h2>{{_('E-mail')}} <span class="muted small">[mail]</span></h2>
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

<h2>{{_('File servers')}} <span class="muted small">[upload]</span></h2>
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

<h2>{{_('SNMP managers')}} <span class="muted small">[snmp]</span></h2>
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
