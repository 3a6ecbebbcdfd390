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
  <p class="muted small">{{_("The layout is in provisioning/tariffs/README.md; a stored plan's download is a complete sample. A version with the same provider, plan and valid_from replaces the stored one; stored calls keep their price until priced again below.")}}</p>
</form>
<h2 id="rerate">{{_('Price the stored calls again')}}</h2>
% p, last = rerate['pending'], rerate['last']
% if p:
<p class="banner" id="rerate-state">{{_('Asked by %s at %s: the worker prices the calls again as soon as it has no new lines to read.') % (p.get('by', ''), fmt_at(p.get('asked_utc', 0)))}}</p>
% elif last and last.get('error'):
% reason = {'no_numbering': _('no numbering plan: choose the country under Settings, Numbering'), 'no_plan': _('no tariff plan can be chosen')}.get(last['error'], _('it failed'))
<p class="banner warn" id="rerate-state">{{_('The calls were not priced again (%s): %s.') % (fmt_at(last.get('done_utc', 0)), reason)}} <span class="muted small">{{last.get('detail', '')}}</span></p>
% elif last:
<p class="banner ok" id="rerate-state">{{_('Priced again at %s: %s calls.') % (fmt_at(last.get('done_utc', 0)), fmt_number(last.get('calls', 0)))}}{{(' ' + _('%s calls of billed periods kept their price.') % fmt_number(last['billed_kept'])) if last.get('billed_kept') else ''}}</p>
% end
<form method="post" action="/tariffs/rerate" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Calls since')}} <input type="date" name="since"></label> <label><input type="checkbox" name="reclassify" value="1"> {{_('classify their numbers again too (after a change of Numbering)')}}</label> <button type="submit">{{_('Price again')}}</button></p>
  <p class="muted small">{{_('Empty: every stored call. Calls of billed periods keep their price.')}}</p>
</form>
% else:
<p class="muted small">{{_('Tariff plans price the calls of every tenant: only administrators of the whole box upload and edit them.')}}</p>
% end
