% # A shown report table (webui.reports.common.Table): headings, rows with an optional link to the call list, totals.
% if not table.rows and table.totals is None:
<p class="muted">{{_('No calls in this report.')}}</p>
% else:
% if table.all_link:
<p class="muted small">{{ngettext('The first {n} of {total} rows.', 'The first {n} of {total} rows.', len(table.rows)).format(n=fmt_number(len(table.rows)), total=fmt_number(len(table.rows) + table.hidden))}} <a href="{{table.all_link}}">{{_('Show all rows')}}</a></p>
% elif table.hidden:
<p class="muted small">{{ngettext('The first {n} rows; {hidden} more is in the totals.', 'The first {n} rows; {hidden} more are in the totals.', table.hidden).format(n=fmt_number(len(table.rows)), hidden=fmt_number(table.hidden))}}</p>
% end
<div class="scroll" tabindex="0"><table class="report">
  <thead><tr>
% for i, c in enumerate(table.columns):
% if table.sort_links:
%   mark = ('' if not table.sorted_by or table.sorted_by[0] != i else (' ▼' if table.sorted_by[1] else ' ▲'))
    <th{{!' aria-sort="%s"' % ('descending' if table.sorted_by[1] else 'ascending') if mark else ''}}><a href="{{table.sort_links[i]}}" title="{{_('Sort by this column')}}">{{c}}</a>{{mark}}</th>
% else:
    <th>{{c}}</th>
% end
% end
% if any(link for _c, link in table.rows):
    <th></th>
% end
  </tr></thead>
  <tbody>
% links = any(link for _c, link in table.rows)
% for cells, link in table.rows:
    <tr>
% for text, num in cells:
      <td{{!' class="num"' if num else ''}}>{{text}}</td>
% end
% if links:
      <td>
% if link:
<a href="{{link}}" class="small">{{get('link_text') or _('calls')}}</a>
% end
</td>
% end
    </tr>
% end
  </tbody>
% if table.totals:
  <tfoot><tr>
% for text, num in table.totals:
    <td{{!' class="num"' if num else ''}}>{{text}}</td>
% end
% if links:
    <td></td>
% end
  </tr></tfoot>
% end
</table></div>
% end
