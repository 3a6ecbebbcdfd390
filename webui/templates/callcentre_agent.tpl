% # An agent's own queue figures (webui/callcentre.py agent_page): the members of their extensions and their calls.
% rebase('base.tpl', title=title, nav='/callcentre/agent', refresh=None)
<h1>{{title}}</h1>
<p><a href="/panel">{{_('Open my operator panel')}}</a></p>
% if error:
<p class="banner warn">{{error}}</p>
% end
<form method="get" action="/callcentre/agent" class="form search">
  % include('report_range.tpl', rp_ranges=ranges, range_value=form.get('range') or 'today', since_value=form.get('since') or '', until_value=form.get('until') or '')
  <button type="submit">{{_('Show')}}</button>
</form>
% if not extensions:
<p class="muted">{{_('No extension of yours is in the directory: your queue calls cannot be found.')}}</p>
% elif not rows:
<p class="muted">{{_('No queue calls in this range.')}}</p>
% else:
<div class="scroll" tabindex="0">
<table class="report" id="agent-figures">
  <thead><tr><th>{{_('Agent')}}</th>
% for name, (heading, kind) in columns.items():
    <th>{{_(heading)}}</th>
% end
  </tr></thead>
  <tbody>
% for row in rows:
  <tr><td>{{row['agent']}}</td>
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
  <thead><tr><th>{{_('Entered the queue')}}</th><th>{{_('Queue')}}</th><th>{{_('Caller')}}</th><th>{{_('Wait')}}</th><th>{{_('Talk')}}</th></tr></thead>
  <tbody>
% for c in calls:
  <tr><td>{{fmt_datetime(c['entered_utc'], c['offset'])}}</td><td>{{c['queue']}}</td><td>{{c['caller']}}</td><td class="num">{{cell('seconds', c['wait_s'])}}</td><td class="num">{{cell('seconds', c['talk_s'])}}</td></tr>
% end
  </tbody>
</table>
</div>
% end
