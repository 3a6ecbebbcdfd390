% # One campaign (webui/dialer_campaigns.py): progress, results, agents, invalid and do-not-call numbers, export.
% rebase('base.tpl', title=title, nav='/dialer', refresh=None)
<h1>{{c.name}} <small>{{c.code}}</small></h1>
<p class="subnav"><a href="/dialer">{{_('Dialer')}}</a> <a href="/dialer/campaigns">{{_('Campaigns')}}</a></p>
% if done:
<p class="banner ok" id="done">{{_(done)}}</p>
% end
<p id="campaign-summary">{{_(modes[c.mode])}} · <strong id="campaign-state">{{_(campaign_states[c.state])}}</strong> · {{_('Calling hours')}}: {{c.windows}} ({{c.timezone}}) · {{_('Attempts at most')}}: {{c.max_attempts}} · {{_('Created')}}: {{created}}</p>
<form method="post" action="/dialer/campaigns/{{c.id}}/state" class="inline" id="campaign-state-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
% if c.state == 'active':
  <button type="submit" name="state" value="paused" id="campaign-pause">{{_('Pause')}}</button>
% elif c.state == 'paused':
  <button type="submit" name="state" value="active" id="campaign-resume">{{_('Resume')}}</button>
% end
% if c.state != 'closed':
  <button type="submit" name="state" value="closed" id="campaign-close">{{_('Close')}}</button>
% end
</form>
<a href="/dialer/campaigns/{{c.id}}/export.csv" id="campaign-export" download>{{_('Export (CSV)')}}</a>
<h2>{{_('Progress')}}</h2>
<p id="campaign-progress"><progress max="{{p['dialable'] or 1}}" value="{{p['finished']}}"></progress> {{_('%(done)s of %(all)s numbers done (%(pct)s %%)') % {'done': p['finished'], 'all': p['dialable'], 'pct': p['done_pct']} }}</p>
<table class="report" id="campaign-states">
  <thead><tr><th>{{_('State')}}</th><th>{{_('Contacts')}}</th></tr></thead>
  <tbody>
% for key, n in p['states'].items():
    <tr data-state="{{key}}"><td>{{_(states[key])}}</td><td class="num">{{n}}</td></tr>
% end
  </tbody>
</table>
<h2>{{_('Attempts')}}</h2>
<table class="report" id="campaign-outcomes">
  <thead><tr><th>{{_('Outcome')}}</th><th>{{_('Attempts')}}</th></tr></thead>
  <tbody>
% for key, n in p['outcomes'].items():
    <tr data-outcome="{{key}}"><td>{{_(outcomes[key])}}</td><td class="num">{{n}}</td></tr>
% end
  </tbody>
</table>
<h2>{{_('Results')}}</h2>
% if not p['results']:
<p class="muted">{{_('No results yet.')}}</p>
% else:
<table class="report" id="campaign-results">
  <thead><tr><th>{{_('Result')}}</th><th>{{_('Contacts')}}</th></tr></thead>
  <tbody>
% for key, n in p['results'].items():
    <tr><td>{{key}}</td><td class="num">{{n}}</td></tr>
% end
  </tbody>
</table>
% end
% if p['agents']:
<h2>{{_('Agents')}}</h2>
<table class="report" id="campaign-agents">
  <thead><tr><th>{{_('Agent')}}</th><th>{{_('Answered')}}</th><th>{{_('Busy')}}</th><th>{{_('No answer')}}</th><th>{{_('Failed')}}</th><th>{{_('Results')}}</th></tr></thead>
  <tbody>
% for agent, n in p['agents'].items():
    <tr><td>{{agent}}</td>
% for key in ('answered', 'busy', 'no_answer', 'failed', 'results'):
      <td class="num">{{n.get(key, 0)}}</td>
% end
    </tr>
% end
  </tbody>
</table>
% end
% if busy:
<h2>{{_('With agents now')}}</h2>
<table class="report" id="campaign-now">
  <thead><tr><th>{{_('Number')}}</th><th>{{_('Agent')}}</th><th>{{_('State')}}</th></tr></thead>
  <tbody>
% for x in busy:
    <tr><td>{{x.number}}</td><td>{{x.agent}}</td><td>{{_(states[x.state])}}</td></tr>
% end
  </tbody>
</table>
% end
<h2>{{_('Invalid numbers (not dialled)')}}</h2>
% if not invalid:
<p class="muted" id="campaign-no-invalid">{{_('None.')}}</p>
% else:
<table class="report" id="campaign-invalid">
  <thead><tr><th>{{_('Line')}}</th><th>{{_('As written')}}</th><th>{{_('Why')}}</th></tr></thead>
  <tbody>
% for x in invalid:
    <tr><td class="num">{{x.line}}</td><td>{{x.as_written}}</td><td>{{problem_text(x.problem)}}</td></tr>
% end
  </tbody>
</table>
% end
<h2>{{_('On the do-not-call list (not dialled)')}}</h2>
% if not dnc:
<p class="muted" id="campaign-no-dnc">{{_('None.')}}</p>
% else:
<table class="report" id="campaign-dnc">
  <thead><tr><th>{{_('Line')}}</th><th>{{_('Number')}}</th></tr></thead>
  <tbody>
% for x in dnc:
    <tr><td class="num">{{x.line}}</td><td>{{x.number}}</td></tr>
% end
  </tbody>
</table>
% end
