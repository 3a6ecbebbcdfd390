% # One tariff plan version, read-only: settings, bands, holidays, destinations with prefixes, rates.
% rebase('base.tpl', title=_('Tariffs'), refresh=None)
% from appliance.rating.tariffs import format_days, format_steps, format_time
% if may_change:
<p class="small"><a href="/tariffs">← {{_('Tariffs')}}</a> · <a href="/tariffs/version/{{v.id}}/edit">{{_('Edit this version')}}</a></p>
% else:
<p class="small"><a href="/tariffs">← {{_('Tariffs')}}</a></p>
% end
% if get('done'):
<p class="banner ok">{{done}}</p>
% end
<h1>{{v.provider}} / {{v.plan}} {{_('from')}} {{fmt_day(v.valid_from)}}</h1>
<p>{{_('Currency')}} {{v.currency}} · {{_('rounding')}} {{v.rounding}} · {{_('decimals')}} {{v.decimals}} · {{_('a call crossing a band boundary')}}: {{v.band_boundary}}</p>
<h2>{{_('Time bands')}}</h2>
% if v.bands:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Band')}}</th><th>{{_('Days')}}</th><th>{{_('From')}}</th><th>{{_('To')}}</th></tr></thead>
  <tbody>
% for b in v.bands:
    <tr><td>{{b.name}}</td><td>{{format_days(b.days)}}</td><td class="num">{{format_time(b.start_min)}}</td><td class="num">{{format_time(b.end_min)}}</td></tr>
% end
  </tbody>
</table></div>
% else:
<p class="muted">{{_('One band for every hour of every day.')}}</p>
% end
% if v.holidays:
<h2>{{_('Holidays')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Day')}}</th><th>{{_('From')}}</th><th>{{_('Name')}}</th></tr></thead>
  <tbody>
% for h in v.holidays:
    <tr><td class="num">{{fmt_day(h.day)}}</td><td class="num">{{format_time(h.from_min) if h.from_min else ''}}</td><td>{{h.name}}</td></tr>
% end
  </tbody>
</table></div>
% end
<h2>{{_('Destinations')}} ({{len(v.destinations)}})</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Destination')}}</th><th>{{_('Number classes')}}</th><th>{{_('Prefixes')}}</th></tr></thead>
  <tbody>
% for d in v.destinations:
    <tr><td>{{d.name}}</td><td>{{' '.join(d.classes)}}</td>
      <td><code>{{' '.join(d.prefixes[:50])}}</code>{{(' … ' + _('and %d more') % (len(d.prefixes) - 50)) if len(d.prefixes) > 50 else ''}}</td></tr>
% end
  </tbody>
</table></div>
<h2>{{_('Rates')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Destination')}}</th><th>{{_('Band')}}</th><th>{{_('Connection fee')}}</th><th>{{_('Minimum')}}</th><th>{{_('Steps')}}</th></tr></thead>
  <tbody>
% for r in v.rates:
    <tr><td>{{r.destination}}</td><td>{{r.band}}</td><td class="num">{{f'{r.connection_fee:f}'}}</td>
      <td class="num">{{f'{r.minimum:f}'}}</td><td><code>{{format_steps(r.steps)}}</code></td></tr>
% end
  </tbody>
</table></div>
