% # One call-centre report (issue 15, CC-3): range, queues, comparison; table (sortable), chart, CSV and PDF.
% from urllib.parse import urlencode
% rebase('base.tpl', title=title, nav='/callcentre', refresh=None)
<h1>{{title}}</h1>
% include('callcentre_nav.tpl', here='/callcentre/reports')
<p class="muted">{{about}}</p>
% if error:
<p class="banner warn">{{error}}</p>
% end
<form method="get" action="/callcentre/reports/{{report}}" class="form search report-form">
  % include('report_range.tpl', rp_ranges=ranges, range_value=form.get('range') or 'today', since_value=form.get('since') or '', until_value=form.get('until') or '')
% if queues:
  <label>{{_('Queues')}} <select name="queue" multiple size="{{min(4, len(queues))}}">
% for q in queues:
    <option value="{{q}}"{{!' selected' if q in chosen else ''}}>{{q}}</option>
% end
  </select></label>
% end
% if boxes:
  <label>{{_('Branch box')}} <select name="branch" id="cc-branch">
    <option value="">{{_('this box and every branch box')}}</option>
% for b in boxes:
    <option value="{{b}}"{{!' selected' if form.get('branch') == b else ''}}>{{box_labels.get(b, b)}}</option>
% end
  </select></label>
% end
% if report == "caller_journeys":
  <label>{{_('Caller')}} <input name="caller" value="{{form.get('caller') or ''}}" inputmode="tel" autocomplete="off"></label>
% end
% if comparable or form.get('compare'):
  <label>{{_('Compare with')}} <select name="compare">
    <option value="">–</option>
    <option value="previous"{{!' selected' if form.get('compare') == 'previous' else ''}}>{{_('the period before')}}</option>
    <option value="custom"{{!' selected' if form.get('compare') == 'custom' else ''}}>{{_('earlier dates')}}</option>
  </select></label>
  <label>{{_('Earlier: from')}} <input name="before_since" type="date" value="{{form.get('before_since') or ''}}"></label>
  <label>{{_('until (exclusive)')}} <input name="before_until" type="date" value="{{form.get('before_until') or ''}}"><input type="hidden" name="before_range" value="custom"></label>
% end
  <button type="submit">{{_('Show')}}</button>
</form>
% if table is not None:
% query = [(k, v) for k, v in form.allitems() if k != 'export']
<p class="small">{{_('Export')}}: <a href="?{{urlencode(query + [('export', 'csv')])}}">CSV</a> · <a href="?{{urlencode(query + [('export', 'pdf')])}}">PDF</a></p>
% if note:
<p class="muted small">{{note}}</p>
% end
% include('report_chart.tpl', chart=chart)
% include('report_table.tpl', table=table, link_text=_('Evaluate'))
% end
