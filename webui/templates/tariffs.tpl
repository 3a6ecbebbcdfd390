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
  <p class="muted small">{{_("A version with the same provider, plan and valid_from replaces the stored one; stored calls keep their price until priced again below.")}}</p>
</form>
<details class="csv-help" id="csv-layout"><summary>{{_('The tariff CSV layout')}}</summary>
  <p><a href="/tariffs/example.csv">{{_('Download an example plan')}}</a> {{_("(every section, illustrative prices: edit it and upload it); a stored plan's download is a complete sample too.")}}</p>
  <p>{{_('One file holds one or more plan versions. Each version is a run of sections; a section starts with its header row, blank rows between sections are optional. Columns are found by their header name; rows starting with # are ignored. UTF-8, separated by , or ; — amounts always with a dot (0.25).')}}</p>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Section header')}}</th><th>{{_('One row per')}}</th><th>{{_('Columns')}}</th></tr></thead>
    <tbody>
      <tr><td><code>setting,value</code></td><td>{{_('setting; starts a new version')}}</td><td>{{_('Required: provider, plan, valid_from (YYYY-MM-DD, the PBX\'s local date), currency (ISO 4217: TRY, EUR, CZK, NOK…). Optional: rounding (half-up, up, down, bankers), decimals (0–6, default 2), band_boundary (split or start).')}}</td></tr>
      <tr><td><code>band,days,from,to</code></td><td>{{_('time band interval')}}</td><td>{{_('days: mon … sun, hol (holidays), ranges (mon-fri), all; from and to: HH:MM, to may be 24:00. The rows must cover every minute of every day type exactly once. No band section: one band for all times.')}}</td></tr>
      <tr><td><code>holiday,from,name</code></td><td>{{_('holiday')}}</td><td>{{_('The date; from: HH:MM when it starts during the day (empty: the whole day); a name. On a holiday the bands of hol apply.')}}</td></tr>
      <tr><td><code>destination,prefixes,classes</code></td><td>{{_('destination')}}</td><td>{{_('prefixes: separated by spaces (+90532 matches numbers in international form, 444 short numbers as dialled); classes: number classes such as local, long_distance, mobile, international_fixed, international_mobile, toll_free, premium, emergency. The longest matching prefix wins; a number nothing matches is not priced, never guessed.')}}</td></tr>
      <tr><td><code>destination,band,connection_fee,minimum,steps</code></td><td>{{_('rate')}}</td><td>{{_('The destination; a band, or * for every band without a row of its own; connection fee and minimum charge (default 0); the charging steps.')}}</td></tr>
    </tbody>
  </table></div>
  <p>{{_('Charging steps are SECONDS:PRICE separated by commas: 60:0.50 charges each started minute 0.50; 30:0.30,6:0.06 is 30/6; 60:0.50,1:0.0083 charges the first minute, then each second; 10*60:0.10,60:0.05 ten minutes at 0.10, then each minute at 0.05; 1:0.60/min charges each second 0.60/60 exactly. The last step repeats until the call ends.')}}</p>
  <p>{{_('A bad file is refused whole, with the line, column and problem named.')}}</p>
</details>
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
