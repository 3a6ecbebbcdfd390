% # Traffic reports (REP-6, REP-7): missed calls, trunk traffic and problem trunks, concurrent calls and busy hour.
% rebase('base.tpl', title=title, nav='/reports', refresh=None)
% def sel(name, value):
%   return ' selected' if (form.get(name) or '') == value else ''
% end
<h1>{{title}}</h1>
% include('report_nav.tpl', here='/reports/' + page)
% if error:
<p class="banner warn">{{error}}</p>
% end
% if preparing:
<p class="banner preparing">{{preparing}}</p>
% end
<form method="get" action="/reports/{{page}}" class="form search">
  <input type="hidden" name="run" value="1">
  % include('report_range.tpl', rp_ranges=ranges, range_value=form.get('range') or 'this_month', since_value=form.get('since') or '', until_value=form.get('until') or '')
% if boxes:
  <label>{{_('Branch box')}} <select name="branch" id="report-branch">
    <option value="">{{_('this box and every branch box')}}</option>
% for b in boxes:
    <option value="{{b}}"{{!sel('branch', b)}}>{{box_labels.get(b, b)}}</option>
% end
  </select></label>
% end
% if page == 'missed':
  <label>{{_('Per')}} <select name="by">
    <option value="extension"{{!sel('by', 'extension')}}>{{_('Extension')}}</option>
    <option value="person"{{!sel('by', 'person')}}>{{_('Person')}}</option>
  </select></label>
% else:
  <label>{{_('Direction')}} <select name="direction">
    <option value="">{{_('any')}}</option>
% for d in ('in', 'out', 'internal', 'system'):
    <option value="{{d}}"{{!sel('direction', d)}}>{{term(d)}}</option>
% end
  </select></label>
  <label>{{_('Number class')}} <select name="kind">
    <option value="">{{_('any')}}</option>
% for k, text in kinds.items():
    <option value="{{k}}"{{!sel('kind', k)}}>{{_(text)}}</option>
% end
  </select></label>
  <label>{{_('Trunk')}} <input name="trunk" size="8" value="{{form.get('trunk') or ''}}"></label>
  <label>{{_('Trunk group')}} <input name="group" size="12" value="{{form.get('group') or ''}}"></label>
% end
% if page == 'concurrency':
  <label>{{_('Interval')}} <select name="step">
% for s, text in steps.items():
    <option value="{{s}}"{{!sel('step', str(s)) if form.get('step') else (' selected' if s == 3600 else '')}}>{{text}}</option>
% end
  </select></label>
% end
  <label>{{_('Rows shown')}} <input name="top" type="number" min="1" size="5" value="{{form.get('top', '')}}" placeholder="{{_('all')}}"></label>
% if form.get('sort'):
  <input type="hidden" name="sort" value="{{form.get('sort')}}"><input type="hidden" name="desc" value="{{form.get('desc', '')}}">
% end
  <button type="submit">{{_('Run')}}</button>
</form>
% if table is not None:
<p class="muted small"><a href="/reports/{{page}}.csv?{{query}}" download>{{_('Download CSV')}}</a> · <a href="/reports/{{page}}.pdf?{{query}}" download>{{_('Download PDF')}}</a></p>
% if page == 'concurrency':
% busy = data['busy']
% if busy.peak is None:
<p class="banner ok">{{_('No traffic of this type in the range: no busy hour.')}}</p>
% else:
<dl class="cards">
  <div><dt>{{_('Busy hour (peak)')}}</dt><dd class="small">{{fmt_iso(busy.peak.label, 'short')}}</dd></div>
  <div><dt>{{_('Erlangs in the peak hour')}}</dt><dd>{{fmt_number(busy.peak.erlangs, 2)}}</dd></div>
  <div><dt>{{_('Most calls at once')}}</dt><dd>{{fmt_number(max(b.max_concurrent for b in busy.hours))}}</dd></div>
  <div><dt>{{_('Busiest hour of the day (average)')}}</dt><dd>{{'%02d:00' % busy.hour_of_day}}</dd></div>
</dl>
% end
% end
% if page == 'trunks':
<h2>{{_('Problem trunks')}}</h2>
% if not data['problems']:
<p class="muted">{{_('No trunk is outside its normal band.')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr>{{!('<th>%s</th>' % _('Branch box')) if boxes else ''}}<th>{{_('Trunk group')}}</th><th>{{_('Trunk')}}</th><th>{{_('Problem')}}</th><th>{{_('Detail')}}</th></tr></thead>
  <tbody>
% for p in data['problems']:
    <tr>
% if boxes:
      <td>{{box_labels.get(p.branch, p.branch) if p.branch else _('this box')}}</td>
% end
      <td>{{p.group or _('(no provider)')}}</td><td>{{p.trunk}}</td><td><span class="pill down">{{term(p.problem)}}</span></td><td>{{problem_text(p)}}</td></tr>
% end
  </tbody>
</table></div>
% end
<h2>{{_('By trunk group and trunk')}}</h2>
% end
% include('report_chart.tpl', chart=chart)
% include('report_table.tpl', table=table)
% end
