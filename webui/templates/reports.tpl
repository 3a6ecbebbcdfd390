% # Reports (REP-1..5): a breakdown of the calls the user may see, with chart, totals and CSV/PDF export;
% # saved reports and the templates published to the user; administrators publish templates.
% from bottle import request
% rebase('base.tpl', title=_('Reports'), nav='/reports', refresh=None)
% from html import escape
% def sel(name, value):
%   return ' selected' if v[name] == value else ''
% end
% def hidden_spec():
%   out = []
%   for k, val in v.items():
%     for one in (val if isinstance(val, list) else [val]):
%       if one:
%         out.append('<input type="hidden" name="%s" value="%s">' % (k, escape(one)))
%       end
%     end
%   end
%   return '\n'.join(out)
% end
<h1>{{_('Reports')}}</h1>
% include('report_nav.tpl', here='/reports')
% if error:
<p class="banner warn">{{error}}</p>
% elif preparing:
<p class="banner preparing">{{preparing}}</p>
% elif done:
<p class="banner ok">{{_('Deleted.')}}</p>
% end
<form method="get" action="/reports" class="form search report-form">
  <input type="hidden" name="run" value="1">
  <label>{{_('Break down by')}} <select name="dim1">
    <option value="">{{_('(total only)')}}</option>
% for d in dims:
    <option value="{{d}}"{{!sel('dim1', d)}}>{{rp.label(d)}}</option>
% end
  </select></label>
  <label>{{_('then by')}} <select name="dim2">
    <option value="">–</option>
% for d in dims:
    <option value="{{d}}"{{!sel('dim2', d)}}>{{rp.label(d)}}</option>
% end
  </select></label>
  % include('report_range.tpl', rp_ranges=rp.RANGE_LABELS, range_value=v['range'], since_value=v['since'], until_value=v['until'])
  <label>{{_('Time of day')}} <select name="time_range">
    <option value="">{{_('any')}}</option>
% for name, text in ranges.items():
    <option value="{{name}}"{{!sel('time_range', name)}}>{{text}}</option>
% end
  </select></label>
  <label>{{_('Direction')}} <select name="direction">
    <option value="">{{_('any')}}</option>
% for d in ('in', 'out', 'internal', 'system'):
    <option value="{{d}}"{{!sel('direction', d)}}>{{term(d)}}</option>
% end
  </select></label>
  <label>{{_('Number class')}} <select name="kind">
    <option value="">{{_('any')}}</option>
% for k, text in rp.KIND_LABELS.items():
    <option value="{{k}}"{{!sel('kind', k)}}>{{_(text)}}</option>
% end
  </select></label>
% for f in ('extension', 'person', 'department', 'branch', 'trunk'):
  <label>{{rp.label(f)}} <input name="{{f}}" size="10" value="{{v[f]}}"></label>
% end
% if hunt_groups() or v['hunt_group']:
  <label>{{rp.label('hunt_group')}} <select name="hunt_group">
    <option value="">{{_('any')}}</option>
%   for number in sorted(set(hunt_groups()) | ({v['hunt_group']} if v['hunt_group'] else set())):
    <option value="{{number}}"{{!sel('hunt_group', number)}}>{{rp.dim_text('hunt_group', number)}}</option>
%   end
  </select></label>
% end
  <fieldset class="measures"><legend>{{_('Measures')}}</legend>
% for m in measures:
    <label class="check"><input type="checkbox" name="m" value="{{m}}"{{!' checked' if m in v['m'] else ''}}> {{rp.label(m)}}</label>
% end
  </fieldset>
  <label>{{_('Rows shown')}} <input name="top" type="number" min="1" size="5" value="{{request.query.get('top', '')}}" placeholder="{{_('all')}}"></label>
% if request.query.get('sort'):
  <input type="hidden" name="sort" value="{{request.query.get('sort')}}"><input type="hidden" name="desc" value="{{request.query.get('desc', '0')}}">
% end
  <button type="submit">{{_('Run')}}</button>
</form>
<p class="muted small">{{_('Several values of a filter: separate them with commas. A person is their name as shown or their id.')}}</p>

% if result is not None:
<h2>{{saved['name'] if saved else _('Result')}}</h2>
<p class="muted small">{{_(rp.RANGE_LABELS.get(v['range'], v['range']))}}
% if result.since is not None and result.until is not None:
 · {{rp.period_text(result.since, result.until, tz)}}
% end
 · <a href="/reports.csv?{{query}}" download>{{_('Download CSV')}}</a> · <a href="/reports.pdf?{{query}}" download>{{_('Download PDF')}}</a></p>
% charted = [c for c in result.columns[result.ndims:] if c in measures] if chart is not None else []
% if len(charted) > 1:
% # every chosen measure can be charted (issue 20): the chart shows one, these links choose which
% shown = request.query.get('chart') if request.query.get('chart') in charted else charted[0]
<nav class="tabs chart-measures" aria-label="{{_('Chart')}}">{{_('Chart')}}:
%   for m in charted:
  <a href="/reports?run=1&amp;{{query}}&amp;chart={{m}}"{{!' aria-current="true"' if m == shown else ''}}>{{rp.label(m)}}</a>
%   end
</nav>
% end
% include('report_chart.tpl', chart=chart)
% include('report_table.tpl', table=table)
<form method="post" action="/reports/saved" class="form inline">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  {{!hidden_spec()}}
  <label>{{_('Save as')}} <input name="name" size="24" required value="{{saved['name'] if saved and not saved['template'] else ''}}"></label>
  <button type="submit">{{_('Save report')}}</button>
</form>
% if user.is_admin:
<form method="post" action="/reports/saved" class="form inline">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="as_template" value="1">
  {{!hidden_spec()}}
  <label>{{_('Template name')}} <input name="name" size="24" required></label>
% for r in roles:
  <label class="check"><input type="checkbox" name="role" value="{{r}}"> {{term(r)}}</label>
% end
  <label>{{_('Users')}} <input name="users" size="16" placeholder="{{_('user names, comma-separated')}}"></label>
  <button type="submit">{{_('Publish template')}}</button>
</form>
% end
% end

<h2>{{_('Saved reports')}}</h2>
% if not mine:
<p class="muted">{{_('No saved report yet: run a report, then save it with a name.')}}</p>
% else:
<ul class="saved">
% for s in mine:
  <li><a href="/reports?saved={{s['id']}}">{{s['name']}}</a>
% if s['template']:
    <span class="pill">{{_('template')}}</span>
% else:
    <form method="post" action="/reports/saved/delete" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{s['id']}}"><button type="submit" class="link">{{_('delete')}}</button></form>
% end
  </li>
% end
</ul>
% end
% if templates:
<h2>{{_('Published templates')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('Template')}}</th><th>{{_('Roles')}}</th><th>{{_('Users')}}</th><th>{{_('Published by')}}</th><th></th></tr></thead>
  <tbody>
% for t in templates:
    <tr><td><a href="/reports?saved={{t['id']}}">{{t['name']}}</a></td><td>{{', '.join(term(r) for r in t['roles'])}}</td>
      <td>{{', '.join(t['users'])}}</td><td>{{t['created_by']}}</td>
      <td><form method="post" action="/reports/saved/delete" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{t['id']}}"><button type="submit" class="link">{{_('delete')}}</button></form></td></tr>
% end
  </tbody>
</table></div>
% end
