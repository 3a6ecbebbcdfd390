% # Named time ranges (REP-3) for administrators: the built-in ones (lunch break, business hours, after hours,
% # weekend) can be changed; new ones added; an administrator's definition deleted (a built-in one returns).
% rebase('base.tpl', title=_('Time ranges'), nav='/reports', refresh=None)
<h1>{{_('Time ranges')}}</h1>
% include('report_nav.tpl', here='/reports/timeranges')
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{_('Saved.') if done == 'saved' else _('Deleted.')}}</p>
% end
<p class="muted small">{{_('Days are ISO weekdays: 1 = Monday … 7 = Sunday, e.g. 1-5 or 6,7. Times are the PBX local time, HH:MM; an end before the start runs past midnight, an end equal to the start is the whole day.')}}</p>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Name')}}</th><th>{{_('Label')}}</th><th>{{_('Days')}}</th><th>{{_('Start')}}</th><th>{{_('End')}}</th><th></th></tr></thead>
  <tbody>
% for name, t in sorted(ranges.items()):
% d = t.as_dict()
    <tr>
      <td><code>{{name}}</code>{{!' <span class="pill">' + _('built-in') + '</span>' if name in defaults and name not in custom else ''}}</td>
% if may_change:
      <td colspan="4"><form method="post" action="/reports/timeranges" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}">
        <input name="label" size="16" value="{{shown(t)}}" aria-label="{{_('Label')}}">
        <input name="days" size="6" value="{{d['days']}}" aria-label="{{_('Days')}}">
        <input name="start" size="5" value="{{d['start']}}" aria-label="{{_('Start')}}">
        <input name="end" size="5" value="{{d['end']}}" aria-label="{{_('End')}}">
        <button type="submit">{{_('Save')}}</button></form></td>
      <td>
% if name in custom:
<form method="post" action="/reports/timeranges/delete" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}"><button type="submit" class="link">{{_('reset') if name in defaults else _('delete')}}</button></form>
% end
</td>
% else:
      <td>{{shown(t)}}</td><td>{{d['days']}}</td><td>{{d['start']}}</td><td>{{d['end']}}</td><td></td>
% end
    </tr>
% end
  </tbody>
</table></div>
% if may_change:
<h2>{{_('Add a time range')}}</h2>
<form method="post" action="/reports/timeranges" class="form search">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Name')}} <input name="name" size="14" required placeholder="night_shift" value="{{v.get('name', '')}}"></label>
  <label>{{_('Label')}} <input name="label" size="16" value="{{v.get('label', '')}}"></label>
  <label>{{_('Days')}} <input name="days" size="6" required placeholder="1-5" value="{{v.get('days', '')}}"></label>
  <label>{{_('Start')}} <input name="start" size="5" required placeholder="22:00" value="{{v.get('start', '')}}"></label>
  <label>{{_('End')}} <input name="end" size="5" required placeholder="06:00" value="{{v.get('end', '')}}"></label>
  <button type="submit">{{_('Add')}}</button>
</form>
% else:
<p class="muted small">{{_('Time ranges are shared by every tenant: only administrators of the whole box change them.')}}</p>
% end
