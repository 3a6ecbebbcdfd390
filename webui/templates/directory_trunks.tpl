% # A tenant's trunks/lines and their providers over time; the CSV upload for its administrators. Values escaped by {{ }}.
% rebase('base.tpl', title='Organisation', refresh=None)
% from datetime import datetime
% def local(t, open_end='now'):
%   return open_end if t is None else datetime.fromtimestamp(t, tz).strftime('%Y-%m-%d %H:%M')
% end
<p class="small"><a href="/directory{{'?tenant=' + tenant.code if tenant else ''}}">← Organisation</a></p>
<h1>Trunks and lines{{' · ' + tenant.name if tenant else ''}}</h1>
% if len(tenants) > 1:
<form method="get" action="/directory/trunks" class="form">
  <label>Tenant <select name="tenant">
% for t in tenants:
    <option value="{{t.code}}"{{!' selected' if tenant and t.id == tenant.id else ''}}>{{t.name}} ({{t.code}})</option>
% end
  </select></label>
  <button type="submit">Show</button>
</form>
% end
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end
% if not trunks:
<p class="muted">No trunks yet{{': upload a CSV file below, or run callbox directory trunks FILE.csv' if editable else '.'}}</p>
% else:
<div class="scroll"><table>
  <thead><tr><th>Trunk</th><th>Name</th><th>Provider</th><th>From</th><th>Until</th></tr></thead>
  <tbody>
% for r in trunks:
    <tr><td class="num">{{r.trunk}}</td><td>{{r.description or '—'}}</td><td>{{r.provider}}</td>
      <td class="num">{{local(r.valid_from, 'always')}}</td><td class="num">{{local(r.valid_to)}}</td></tr>
% end
  </tbody>
</table></div>
<p class="muted small">Times are the PBX's local time. A call is attributed to the provider of its trunk at the call's time.</p>
% end
% if editable:
<h2>Load a trunk file</h2>
<form method="post" action="/directory/trunks" enctype="multipart/form-data" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>CSV file <input type="file" name="file" accept=".csv,text/csv"></label>
  <button type="submit">Load</button>
  <span class="muted small">Columns trunk, name, provider, valid_from (optional); UTF-8; the whole file or nothing.</span>
</form>
% end
