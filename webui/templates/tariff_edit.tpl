% # Edit one tariff plan version: settings, destinations' prefixes and classes, rates; or its whole CSV.
% rebase('base.tpl', title=_('Tariffs'), refresh=None)
% from appliance.rating.tariffs import format_steps, ROUNDINGS, BOUNDARY_RULES
% def val(name, default):
%   return form.get(name, default) if form else default
% end
<p class="small"><a href="/tariffs/version/{{v.id}}">← {{v.provider}} / {{v.plan}} {{_('from')}} {{fmt_day(v.valid_from)}}</a></p>
<h1>{{_('Edit')}} {{v.provider}} / {{v.plan}}</h1>
% if error:
<p class="banner warn" role="alert">{{error}}</p>
% end
<p class="muted small">{{_('Saving with the same "valid from" date replaces this version; another date stores a new version and keeps this one for the calls before it. Stored calls keep their prices until they are priced again (on the Tariffs page); billed periods stay as billed.')}}</p>
<form method="post" action="/tariffs/version/{{v.id}}/edit" class="form" id="tariff-edit">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <h2>{{_('Settings')}}</h2>
  <p><label>{{_('Valid from')}} <input type="date" name="valid_from" value="{{val('valid_from', v.valid_from.isoformat())}}" required></label>
    <label>{{_('Currency')}} <input name="currency" value="{{val('currency', v.currency)}}" size="4" maxlength="3" required></label>
    <label>{{_('Rounding')}} <select name="rounding">
% for r in ROUNDINGS:
      <option{{!' selected' if val('rounding', v.rounding) == r else ''}}>{{r}}</option>
% end
    </select></label>
    <label>{{_('Decimals')}} <input type="number" name="decimals" min="0" max="6" value="{{val('decimals', v.decimals)}}"></label>
    <label>{{_('A call crossing a band boundary')}} <select name="band_boundary">
% for r in BOUNDARY_RULES:
      <option{{!' selected' if val('band_boundary', v.band_boundary) == r else ''}}>{{r}}</option>
% end
    </select></label></p>
  <h2>{{_('Destinations')}}</h2>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Destination')}}</th><th>{{_('Prefixes')}}</th><th>{{_('Number classes')}}</th></tr></thead>
    <tbody>
% for i, d in enumerate(v.destinations):
      <tr><td>{{d.name}}</td>
        <td><textarea name="prefixes_{{i}}" rows="1" cols="50">{{val('prefixes_%d' % i, ' '.join(d.prefixes))}}</textarea></td>
        <td><input name="classes_{{i}}" value="{{val('classes_%d' % i, ' '.join(d.classes))}}"></td></tr>
% end
    </tbody>
  </table></div>
  <h2>{{_('Rates')}}</h2>
  <p class="muted small">{{_('Steps: first period then increment, e.g. 60:0.50 (per 60 s), 30:0.45,6:0.09, 3*60:0.20,60:0.10, or 60:1.20/min.')}}</p>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Destination')}}</th><th>{{_('Band')}}</th><th>{{_('Connection fee')}}</th><th>{{_('Minimum')}}</th><th>{{_('Steps')}}</th></tr></thead>
    <tbody>
% for i, r in enumerate(v.rates):
      <tr><td>{{r.destination}}</td><td>{{r.band}}</td>
        <td><input name="fee_{{i}}" value="{{val('fee_%d' % i, f'{r.connection_fee:f}')}}" size="8" inputmode="decimal"></td>
        <td><input name="minimum_{{i}}" value="{{val('minimum_%d' % i, f'{r.minimum:f}')}}" size="8" inputmode="decimal"></td>
        <td><input name="steps_{{i}}" value="{{val('steps_%d' % i, format_steps(r.steps))}}" size="30"></td></tr>
% end
    </tbody>
  </table></div>
  <p><button type="submit" name="action" value="form">{{_('Save')}}</button></p>
  <h2>{{_('The whole version as CSV')}}</h2>
  <p class="muted small">{{_('For bands, holidays and new destinations: edit the CSV and save it.')}} <a href="/tariffs#csv-layout">{{_('The tariff CSV layout')}}</a></p>
  <p><textarea name="csv" rows="16" cols="100" spellcheck="false">{{csv}}</textarea></p>
  <p><button type="submit" name="action" value="csv">{{_('Save the CSV')}}</button></p>
</form>
