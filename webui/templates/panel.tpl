% # The agent's operator panel (webui/panel.py, issue 16, CC-4): live from AMI, else from queue_log.
% rebase('base.tpl', title=title, nav='/panel', refresh=refresh)
% from webui.auth import csrf_token
% from webui.i18n import fmt_datetime, fmt_duration
% from webui.crm import number_link
<h1>{{title}}</h1>
<p class="banner {{'ok' if live else 'warn'}}" id="panel-status">{{status}}</p>
% if done:
<p class="banner ok" id="panel-done">{{_(done)}}</p>
% end
% if error:
<p class="banner warn" id="panel-error">{{_(error)}}</p>
% end
% if not extensions:
<p class="muted">{{_('No extension of yours is in the directory: your queue calls cannot be found.')}}</p>
% else:
<p>{{_('Your extensions')}}: {{', '.join(extensions)}}</p>
<h2>{{_('Calling now')}}</h2>
% if not callers:
<p class="muted" id="panel-no-caller">{{_('Nobody is calling you now.') if live else _('Who is calling is known only live (AMI).')}}</p>
% else:
<table class="report" id="panel-callers">
  <thead><tr><th>{{_('Caller')}}</th><th>{{_('Name')}}</th><th>{{_('Queue')}}</th><th>{{_('State')}}</th><th>{{_('Since')}}</th></tr></thead>
  <tbody>
% for c in callers:
% crm_url = number_link(c.number)
  <tr><td class="caller-number">{{c.number or '–'}}
% if crm_url:
    <a href="{{crm_url}}" class="crm-link" rel="noopener noreferrer" target="_blank">{{_('Open in the CRM')}}</a>
% end
  </td><td>{{c.name}}</td><td>{{c.queue}}</td><td>{{_(labels['talking'] if c.agent else labels['ringing'])}}</td><td class="num">{{since_text(c.joined, now)}}</td></tr>
% end
  </tbody>
</table>
% end
% if number:
<p id="panel-who">
% if customer:
  {{_('Customer')}}: <strong id="panel-customer">{{customer.name}}</strong>
% end
% if crm_answer is not None and crm_answer.state != 'off':
  <span id="panel-crm" class="crm-{{crm_answer.state}}">{{_('CRM')}}:
% if crm_answer.state == 'found':
  <strong>{{crm_answer.name}}</strong>
% elif crm_answer.state == 'none':
  {{_('not known to the CRM')}}
% elif crm_answer.state == 'pending':
  {{_('looking up…')}}
% else:
  {{_('lookup unavailable ({why})').format(why=crm_answer.why)}}
% end
  </span>
% end
</p>
<h3>{{_('Notes on %(number)s') % {'number': number} }}</h3>
% include('notes_list.tpl', rows=caller_notes, list_id='panel-notes')
% if writing:
<form method="post" action="/panel/notes" class="form" id="panel-note-form">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}"><input type="hidden" name="number" value="{{number}}">
  <label>{{_('New note')}} <textarea name="text" rows="2" cols="60" maxlength="4000" required autofocus></textarea></label>
  <button type="submit">{{_('Save the note')}}</button> <a href="/panel">{{_('Cancel')}}</a>
</form>
% else:
<p><a href="/panel?note=1&amp;number={{number}}" id="panel-write-note">{{_('Write a note')}}</a> <span class="muted small">{{_('(the panel stops refreshing while you write)')}}</span></p>
% end
<h3>{{_('Earlier calls of %(number)s') % {'number': number} }}</h3>
% if not history:
<p class="muted">{{_('No earlier queue calls.')}}</p>
% else:
<table class="report" id="panel-history">
  <thead><tr><th>{{_('Entered the queue')}}</th><th>{{_('Queue')}}</th><th>{{_('Outcome')}}</th><th>{{_('Agent')}}</th><th>{{_('Wait')}}</th><th>{{_('Talk')}}</th></tr></thead>
  <tbody>
% for h in history:
  <tr><td>{{fmt_datetime(h['entered_utc'], offset)}}</td><td>{{h['queue']}}</td><td>{{_(outcomes.get(h['outcome'], outcomes['']))}}</td><td>{{h['agent']}}</td><td class="num">{{fmt_duration(h['wait_s']) if h['wait_s'] is not None else '–'}}</td><td class="num">{{fmt_duration(h['talk_s']) if h['talk_s'] is not None else '–'}}</td></tr>
% end
  </tbody>
</table>
% end
% end
<h2>{{_('My queues')}}</h2>
% if live:
<table class="report" id="panel-members">
  <thead><tr><th>{{_('Queue')}}</th><th>{{_('State')}}</th><th>{{_('Since')}}</th><th>{{_('Reason')}}</th><th></th></tr></thead>
  <tbody>
% for m in members:
  <tr><td>{{m.queue}}</td><td class="state-{{m.state}}">{{_(labels[m.state])}}</td><td class="num">{{since_text(m.since, now)}}</td><td>{{m.reason}}</td>
    <td><form method="post" action="/panel/queue" class="inline"><input type="hidden" name="csrf_token" value="{{csrf_token()}}"><input type="hidden" name="queue" value="{{m.queue}}"><button type="submit" name="do" value="logout">{{_('Log out')}}</button></form></td></tr>
% end
% for q in can_join:
  <tr><td>{{q}}</td><td class="state-logged_out">{{_(labels['logged_out'])}}</td><td></td><td></td>
    <td><form method="post" action="/panel/queue" class="inline"><input type="hidden" name="csrf_token" value="{{csrf_token()}}"><input type="hidden" name="queue" value="{{q}}"><button type="submit" name="do" value="login">{{_('Log in')}}</button></form></td></tr>
% end
  </tbody>
</table>
% if members:
<form method="post" action="/panel/pause" class="form" id="panel-pause">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
  % if any(m.paused for m in members):
  <button type="submit" name="do" value="unpause">{{_('Unpause')}}</button>
  % else:
  <label>{{_('Reason')}} <select name="reason">
  % for r in reasons:
    <option value="{{r}}">{{r}}</option>
  % end
  </select></label>
  <button type="submit" name="do" value="pause">{{_('Pause')}}</button>
  % end
</form>
% end
% else:
<table class="report" id="panel-members">
  <thead><tr><th>{{_('Agent')}}</th><th>{{_('State')}}</th><th>{{_('Since')}}</th><th>{{_('Reason')}}</th></tr></thead>
  <tbody>
% for a in day['states']:
  <tr><td>{{a['agent']}}</td><td class="state-{{a['state']}}">{{_(labels[a['state']])}}</td><td class="num">{{since_text(a['since'], now)}}</td><td>{{a['reason']}}</td></tr>
% end
  </tbody>
</table>
% end
<h2>{{_('Today')}}</h2>
<p id="panel-today">{{_('Answered')}}: <strong>{{day['answered']}}</strong> · {{_('Rung, not answered')}}: <strong>{{day['ring_no_answer']}}</strong> · {{_('Lost in my queues')}}: <strong>{{len(lost)}}</strong></p>
% if day['calls']:
<table class="report" id="panel-answered">
  <thead><tr><th>{{_('Entered the queue')}}</th><th>{{_('Queue')}}</th><th>{{_('Caller')}}</th><th>{{_('Wait')}}</th><th>{{_('Talk')}}</th></tr></thead>
  <tbody>
% for c in day['calls']:
  <tr><td>{{fmt_datetime(c['entered_utc'], offset)}}</td><td>{{c['queue']}}</td><td>{{c['caller']}}</td><td class="num">{{fmt_duration(c['wait_s']) if c['wait_s'] is not None else '–'}}</td><td class="num">{{fmt_duration(c['talk_s']) if c['talk_s'] is not None else '–'}}</td></tr>
% end
  </tbody>
</table>
% end
% if lost:
<h3>{{_('Lost calls to call back')}}</h3>
<table class="report" id="panel-lost">
  <thead><tr><th>{{_('Entered the queue')}}</th><th>{{_('Queue')}}</th><th>{{_('Caller')}}</th><th>{{_('Outcome')}}</th><th>{{_('Wait')}}</th></tr></thead>
  <tbody>
% for c in lost:
  <tr><td>{{fmt_datetime(c['entered_utc'], offset)}}</td><td>{{c['queue']}}</td><td>{{c['caller']}} <a href="/panel?note=1&amp;number={{c['caller']}}" class="small">{{_('Write a note')}}</a></td><td>{{_(outcomes[c['outcome']])}}</td><td class="num">{{fmt_duration(c['wait_s']) if c['wait_s'] is not None else '–'}}</td></tr>
% end
  </tbody>
</table>
% end
% end
