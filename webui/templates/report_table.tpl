% # A shown report table (webui.reports.common.Table): headings, rows with an optional link to the call list, totals.
% if not table.rows and table.totals is None:
<p class="muted">{{_('No calls in this report.')}}</p>
% else:
<div class="scroll"><table class="report">
  <thead><tr>
% for c in table.columns:
    <th>{{c}}</th>
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
<a href="{{link}}" class="small">{{_('calls')}}</a>
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
