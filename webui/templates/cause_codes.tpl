% # The PBX cause-code report (webui.admin.cause_codes, REP-8): a date range, a time bucket and what to group by;
% # the codes counted. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('PBX cause codes'), nav='/alerts', refresh=None)
<h1>{{_('PBX cause codes')}}</h1>
<p class="muted small">{{_('Calls the PBX ended abnormally (busy, no answer, no circuit, rejected, ...), counted by the code it gave.')}} <a href="/alerts">{{_('Alerts')}}</a></p>
% if error:
<p class="banner warn" role="alert">{{error}}</p>
% end
<form method="get" action="/alerts/codes" class="form search" id="codes-form">
  <label>{{_('From')}} <input name="since" type="date" value="{{form['since']}}"></label>
  <label>{{_('Until (inclusive)')}} <input name="until" type="date" value="{{form['until']}}"></label>
  <label>{{_('Count')}} <select name="by">
% for key, text in buckets.items():
    <option value="{{key}}"{{!' selected' if key == form['by'] else ''}}>{{_(text)}}</option>
% end
  </select></label>
  <fieldset class="formats groups"><legend>{{_('Group by')}}</legend>
% for key, text in groups.items():
    <label><input type="checkbox" name="group" value="{{key}}"{{!' checked' if key in form['group'] else ''}}> {{_(text)}}</label>
% end
  </fieldset>
  <button type="submit">{{_('Show')}}</button>
</form>
% if not ready:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% elif not rows and not error:
<p class="muted" id="no-codes">{{_('No abnormal cause code in this range.')}}</p>
% elif rows:
<div class="scroll" tabindex="0"><table id="codes">
  <thead><tr><th>{{_('Period')}}</th>
% def head(column, text):
%   mark = ('descending' if desc else 'ascending') if column == sort else ''
    <th{{!' aria-sort="%s"' % mark if mark else ''}}><a href="{{sort_link(column)}}" title="{{_('Sort by this column')}}">{{text}}</a>{{(' ▼' if desc else ' ▲') if mark else ''}}</th>
% end
% for g in form['group']:
% head(g, _(groups[g]))
% if g == 'code':
    <th>{{_('Meaning')}}</th>
% end
% end
% head('count', _('Count'))
    </tr></thead>
  <tbody>
% for r in rows:
    <tr><td class="num">{{bucket_text(form['by'], r['period'])}}</td>
% for g in form['group']:
% if g == 'code':
      <td><code>{{r['code_type']}} {{r['code']}}</code></td><td>{{description(r['code_type'], r['code'])}}</td>
% else:
      <td>{{r[g] or '–'}}</td>
% end
% end
      <td class="num">{{fmt_number(r['count'])}}</td></tr>
% end
  </tbody>
  <tfoot><tr><th scope="row" colspan="{{1 + len(form['group']) + (1 if 'code' in form['group'] else 0)}}">{{_('Total')}}</th><td class="num">{{fmt_number(sum(r['count'] for r in rows))}}</td></tr></tfoot>
</table></div>
% end
