% # Stored tariff plans and their versions; upload a tariff CSV. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('Tariffs'), refresh=None)
<h1>{{_('Tariffs')}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end
% if not plans:
<p class="muted">{{_('No tariff plan stored yet.')}}</p>
% end
% for p in plans:
<h2>{{p['provider']}} / {{p['plan']}} <a class="small" href="/tariffs/plan/{{p['id']}}.csv">{{_('download CSV')}}</a></h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Valid from')}}</th><th>{{_('Currency')}}</th><th>{{_('Imported (UTC)')}}</th></tr></thead>
  <tbody>
% for v in p['versions']:
    <tr><td class="num"><a href="/tariffs/version/{{v['id']}}">{{fmt_day(v['valid_from'])}}</a></td><td>{{v['currency']}}</td>
      <td class="num">{{fmt_at(v['imported_utc'])}}</td></tr>
% end
  </tbody>
</table></div>
% end

% if may_change:
<h2>{{_('Upload a tariff CSV')}}</h2>
<form method="post" action="/tariffs/upload" enctype="multipart/form-data" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('CSV file')}} <input type="file" name="file" accept=".csv,text/csv" required></label> <button type="submit">{{_('Upload')}}</button></p>
  <p class="muted small">{{_('The layout is in provisioning/tariffs/README.md. A version with the same provider, plan and valid_from replaces the stored one. Stored calls are re-rated by callbox rerate, not here.')}}</p>
</form>
% else:
<p class="muted small">{{_('Tariff plans price the calls of every tenant: only administrators of the whole box upload and edit them.')}}</p>
% end
