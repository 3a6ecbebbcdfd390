% # An agent's own queue figures (webui/callcentre.py agent_page): the members of their extensions and their calls;
% # on a central also those of the branch boxes where they work (a "Branch box" column, a filter).
% shows_box = central and boxes
% rebase('base.tpl', title=title, nav='/callcentre/agent', refresh=None)
<h1>{{title}}</h1>
<p><a href="/panel">{{_('Open my operator panel')}}</a></p>
% if error:
<p class="banner warn">{{error}}</p>
% end
<form method="get" action="/callcentre/agent" class="form search">
  % include('report_range.tpl', rp_ranges=ranges, range_value=form.get('range') or 'today', since_value=form.get('since') or '', until_value=form.get('until') or '')
% if shows_box:
  <label>{{_('Branch box')}} <select name="branch" id="branch">
    <option value="">{{_('this box and every branch')}}</option>
% for name in boxes:
    <option value="{{name}}"{{!' selected' if name == branch else ''}}>{{box_labels.get(name, name)}}</option>
% end
  </select></label>
% end
  <button type="submit">{{_('Show')}}</button>
</form>
% if not extensions:
<p class="muted">{{_('No extension of yours is in the directory: your queue calls cannot be found.')}}</p>
% elif not rows:
<p class="muted">{{_('No queue calls in this range.')}}</p>
% else:
<div class="scroll" tabindex="0">
<table class="report" id="agent-figures">
  <thead><tr>
% if shows_box:
    <th>{{_('Branch box')}}</th>
% end
    <th>{{_('Agent')}}</th>
% for name, (heading, kind) in columns.items():
    <th>{{_(heading)}}</th>
% end
  </tr></thead>
  <tbody>
% for row in rows:
% if shows_box:
  <tr><td data-box="{{row['branch']}}">{{box_labels.get(row['branch'], row['branch']) if row['branch'] else _('this box')}}</td><td>{{row['agent']}}</td>
% else:
  <tr><td>{{row['agent']}}</td>
% end
% for name, (heading, kind) in columns.items():
    <td class="num">{{cell(kind, row[name])}}</td>
% end
  </tr>
% end
  </tbody>
</table>
</div>
% for row in rows:
% if row['pause_by_reason']:
<p>{{row['agent']}}: {{_('Paused')}}: {{', '.join((reason or '–') + ' ' + cell('seconds', s) for reason, s in row['pause_by_reason'].items())}}</p>
% end
% end
<h2>{{_('Calls answered')}}</h2>
<div class="scroll" tabindex="0">
<table class="report" id="agent-calls">
  <thead><tr>{{!'<th>%s</th>' % _('Branch box') if shows_box else ''}}<th>{{_('Entered the queue')}}</th><th>{{_('Queue')}}</th><th>{{_('Caller')}}</th><th>{{_('Wait')}}</th><th>{{_('Talk')}}</th></tr></thead>
  <tbody>
% for c in calls:
% if shows_box:
  <tr><td data-box="{{c['branch']}}">{{box_labels.get(c['branch'], c['branch']) if c['branch'] else _('this box')}}</td><td>{{fmt_datetime(c['entered_utc'], c['offset'])}}</td><td>{{c['queue']}}</td><td>{{c['caller']}}</td><td class="num">{{cell('seconds', c['wait_s'])}}</td><td class="num">{{cell('seconds', c['talk_s'])}}</td></tr>
% else:
  <tr><td>{{fmt_datetime(c['entered_utc'], c['offset'])}}</td><td>{{c['queue']}}</td><td>{{c['caller']}}</td><td class="num">{{cell('seconds', c['wait_s'])}}</td><td class="num">{{cell('seconds', c['talk_s'])}}</td></tr>
% end
% end
  </tbody>
</table>
</div>
% end
