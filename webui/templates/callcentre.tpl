% # The call-centre queue summary (issue 15, CC-2): each queue's KPIs over a date range and its data-quality line.
% rebase('base.tpl', title=title, nav='/callcentre', refresh=None)
<h1>{{title}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% end
% from webui.auth import current_user
% me = current_user()
% include('callcentre_nav.tpl', here='/callcentre')
% if me and me.is_admin and me.scope == 'all':
<p><a href="/wallboard/links">{{_('Wallboard links')}}</a></p>
% end
<form method="get" action="/callcentre" class="form search">
  % include('report_range.tpl', rp_ranges=ranges, range_value=form.get('range') or 'today', since_value=form.get('since') or '', until_value=form.get('until') or '')
% if branch_names:
  <label>{{_('Branch box')}} <select name="branch" id="branch">
    <option value="">{{_('this box and every branch')}}</option>
% for name in branch_names:
    <option value="{{name}}"{{!' selected' if name == branch else ''}}>{{branch_labels.get(name, name)}}</option>
% end
  </select></label>
% end
  <button type="submit">{{_('Show')}}</button>
</form>
% if not rows and not branch:
<p class="muted">{{_('No queue calls in this range.')}}</p>
% elif rows:
<div class="scroll" tabindex="0">
<table class="report">
  <thead><tr><th>{{_('Queue')}}</th>
% for name, (heading, kind) in columns.items():
    <th>{{_(heading)}}</th>
% end
  </tr></thead>
  <tbody>
% for row in rows:
  <tr><td>{{row['queue']}}</td>
% for name, (heading, kind) in columns.items():
    <td class="num">{{cell(kind, row[name])}}</td>
% end
  </tr>
% end
  </tbody>
</table>
</div>
% end
% if central and (branch_names or branch_rows):
<h2>{{_('Branch boxes')}}</h2>
% if not branch_rows:
<p class="muted">{{_('No queue calls of the branch boxes in this range.')}}</p>
% else:
<div class="scroll" tabindex="0">
<table class="report" id="branch-queues">
  <thead><tr><th>{{_('Branch box')}}</th><th>{{_('Queue')}}</th>
% for name, (heading, kind) in columns.items():
    <th>{{_(heading)}}</th>
% end
  </tr></thead>
  <tbody>
% for row in branch_rows:
  <tr><td data-box="{{row['branch']}}">{{branch_labels.get(row['branch'], row['branch'])}}</td><td>{{row['queue']}}</td>
% for name, (heading, kind) in columns.items():
    <td class="num">{{cell(kind, row[name])}}</td>
% end
  </tr>
% end
  </tbody>
</table>
</div>
% end
% end
% if problems:
<h2>{{_('Data quality')}}</h2>
<ul>
% for queue, counts in sorted(problems.items()):
  <li>{{queue}}: {{', '.join(_(labels.get(p, p)) + ' ' + fmt_number(n) for p, n in counts.items())}}</li>
% end
</ul>
% end
<p class="muted small">{{_('A queue call is one entry into a queue. Service level: answered within {sl} s, short abandons (at most {short} s) left out; lost: abandoned, timed out or left the queue, short abandons left out. Calls whose entry was never logged are counted under data quality only.').format(sl=rules.sl_seconds, short=rules.short_abandon_seconds)}}</p>
