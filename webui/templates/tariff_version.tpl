% # One tariff plan version, read-only: settings, bands, holidays, destinations with prefixes, rates.
% rebase('base.tpl', title='Tariffs', refresh=None)
% from appliance.tariffs import format_days, format_steps, format_time
<p class="small"><a href="/tariffs">← Tariffs</a></p>
<h1>{{v.provider}} / {{v.plan}} from {{v.valid_from.isoformat()}}</h1>
<p>Currency {{v.currency}} · rounding {{v.rounding}} to {{v.decimals}} decimals · a call crossing a band boundary: {{v.band_boundary}}</p>
<h2>Time bands</h2>
% if v.bands:
<div class="scroll"><table>
  <thead><tr><th>Band</th><th>Days</th><th>From</th><th>To</th></tr></thead>
  <tbody>
% for b in v.bands:
    <tr><td>{{b.name}}</td><td>{{format_days(b.days)}}</td><td class="num">{{format_time(b.start_min)}}</td><td class="num">{{format_time(b.end_min)}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">One band for every hour of every day.</p>
% end
% if v.holidays:
<h2>Holidays</h2>
<div class="scroll"><table>
  <thead><tr><th>Day</th><th>From</th><th>Name</th></tr></thead>
  <tbody>
% for h in v.holidays:
    <tr><td class="num">{{h.day.isoformat()}}</td><td class="num">{{format_time(h.from_min) if h.from_min else ''}}</td><td>{{h.name}}</td></tr>
% end
  </tbody>
</table></div>
% end
<h2>Destinations ({{len(v.destinations)}})</h2>
<div class="scroll"><table>
  <thead><tr><th>Destination</th><th>Number classes</th><th>Prefixes</th></tr></thead>
  <tbody>
% for d in v.destinations:
    <tr><td>{{d.name}}</td><td>{{' '.join(d.classes)}}</td>
      <td><code>{{' '.join(d.prefixes[:50])}}</code>{{' … and %d more' % (len(d.prefixes) - 50) if len(d.prefixes) > 50 else ''}}</td></tr>
% end
  </tbody>
</table></div>
<h2>Rates</h2>
<div class="scroll"><table>
  <thead><tr><th>Destination</th><th>Band</th><th>Connection fee</th><th>Minimum</th><th>Steps</th></tr></thead>
  <tbody>
% for r in v.rates:
    <tr><td>{{r.destination}}</td><td>{{r.band}}</td><td class="num">{{f'{r.connection_fee:f}'}}</td>
      <td class="num">{{f'{r.minimum:f}'}}</td><td><code>{{format_steps(r.steps)}}</code></td></tr>
% end
  </tbody>
</table></div>
