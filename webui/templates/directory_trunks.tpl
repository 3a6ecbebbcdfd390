% # A tenant's trunks/lines and their providers over time; the CSV upload for its administrators. Values escaped by {{ }}.
% rebase('base.tpl', title=_('Organisation'), nav='/directory', refresh=None)
% from datetime import datetime
% def local(t, open_end=None):
%   return (open_end or _('now')) if t is None else fmt_iso(datetime.fromtimestamp(t, tz).isoformat(), 'short')
% end
<p class="small"><a href="/directory{{'?tenant=' + tenant.code if tenant else ''}}">← {{_('Organisation')}}</a></p>
<h1>{{_('Trunks and lines')}}{{' · ' + tenant.name if tenant else ''}}</h1>
% if len(tenants) > 1:
<form method="get" action="/directory/trunks" class="form">
  <label>{{_('Tenant')}} <select name="tenant">
% for t in tenants:
    <option value="{{t.code}}"{{!' selected' if tenant and t.id == tenant.id else ''}}>{{t.name}} ({{t.code}})</option>
% end
  </select></label>
  <button type="submit">{{_('Show')}}</button>
</form>
% end
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end
% if not trunks:
<p class="muted">{{_('No trunks yet: add a line or upload a CSV file below.') if editable else _('No trunks yet.')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Trunk')}}</th><th>{{_('Name')}}</th><th>{{_('Provider')}}</th><th>{{_('From')}}</th><th>{{_('Until')}}</th></tr></thead>
  <tbody>
% for r in trunks:
    <tr><td class="num">{{r.trunk}}</td><td>{{r.description or '—'}}</td><td>{{r.provider}}</td>
      <td class="num">{{local(r.valid_from, _('always'))}}</td><td class="num">{{local(r.valid_to)}}</td></tr>
% end
  </tbody>
</table></div>
<p class="muted small">{{_("Times are the PBX's local time. A call is attributed to the provider of its trunk at the call's time.")}}</p>
% end
% if editable:
<h2>{{_('A line')}}</h2>
<form method="post" action="/directory/trunks/line" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>{{_('Trunk')}} <input name="trunk" size="8" required></label>
  <label>{{_('Name')}} <input name="name"></label>
  <label>{{_('Provider')}} <input name="provider"></label>
  <label>{{_('From')}} <input name="date" type="date" value="{{today}}" required></label>
  <button type="submit" name="action" value="set">{{_('Add or change provider')}}</button>
  <button type="submit" name="action" value="end">{{_('End the line')}}</button>
</form>
<h2>{{_('Load a trunk file')}}</h2>
<form method="post" action="/directory/trunks" enctype="multipart/form-data" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>{{_('CSV file')}} <input type="file" name="file" accept=".csv,text/csv"></label>
  <button type="submit">{{_('Load')}}</button>
  <span class="muted small">{{_('Columns trunk, name, provider, valid_from (optional); UTF-8; the whole file or nothing.')}}</span>
</form>
% end
