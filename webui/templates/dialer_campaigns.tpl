% # The dialer's campaigns (webui/dialer_campaigns.py): the list with progress, a new one, the do-not-call list.
% rebase('base.tpl', title=title, nav='/dialer', refresh=None)
<h1>{{_('Campaigns')}}</h1>
<p class="subnav"><a href="/dialer">{{_('Dialer')}}</a> <a href="/dialer/campaigns" aria-current="page">{{_('Campaigns')}}</a></p>
% if done:
<p class="banner ok" id="done">{{_(done)}}</p>
% end
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
% if not rows:
<p class="muted" id="no-campaigns">{{_('No campaigns yet.')}}</p>
% else:
<div class="scroll"><table class="report" id="campaigns">
  <thead><tr><th>{{_('Campaign')}}</th><th>{{_('Mode')}}</th><th>{{_('State')}}</th><th>{{_('Contacts')}}</th><th>{{_('Done')}}</th><th>{{_('Attempts')}}</th><th>{{_('Invalid')}}</th><th>{{_('Do not call')}}</th></tr></thead>
  <tbody>
% for c, p in rows:
    <tr><td><a href="/dialer/campaigns/{{c.id}}">{{c.name}}</a> <small>{{c.code}}</small></td><td>{{_(modes[c.mode])}}</td><td>{{_(campaign_states[c.state])}}</td>
      <td class="num">{{p['total']}}</td><td class="num">{{p['finished']}} / {{p['dialable']}} ({{p['done_pct']}} %)</td><td class="num">{{p['attempts']}}</td>
      <td class="num">{{p['states']['invalid']}}</td><td class="num">{{p['states']['dnc']}}</td></tr>
% end
  </tbody>
</table></div>
% end
<h2>{{_('New campaign')}}</h2>
<form method="post" action="/dialer/campaigns" class="form" id="new-campaign" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Code')}} <input name="code" required pattern="[a-z0-9][a-z0-9_.\-]{0,39}" value="{{form.get('code', '')}}"></label>
  <label>{{_('Name')}} <input name="name" required value="{{form.get('name', '')}}"></label>
  <label>{{_('Mode')}} <select name="mode">
% for key, name in modes.items():
    <option value="{{key}}"{{!' selected' if form.get('mode') == key else ''}}>{{_(name)}}</option>
% end
  </select></label>
  <label>{{_('CSV file')}} <input type="file" name="file" accept=".csv,text/csv"></label>
  <label>{{_('or a CRM URL (JSON)')}} <input name="crm_url" type="url" size="40" value="{{form.get('crm_url', '')}}" placeholder="https://crm.example.com/api/leads"></label>
  <label>{{_('Time zone')}} <input name="timezone" required value="{{form.get('timezone', '')}}"></label>
  <label>{{_('Calling hours')}} <input name="windows" required size="40" value="{{form.get('windows', '')}}"></label>
  <label>{{_('Attempts at most')}} <input name="max_attempts" type="number" min="1" max="100" value="{{form.get('max_attempts', '')}}"></label>
  <label>{{_('Retry after busy (min)')}} <input name="retry_busy_min" type="number" min="0" value="{{form.get('retry_busy_min', '')}}"></label>
  <label>{{_('Retry after no answer (min)')}} <input name="retry_no_answer_min" type="number" min="0" value="{{form.get('retry_no_answer_min', '')}}"></label>
  <label>{{_('Retry after a failure (min)')}} <input name="retry_failed_min" type="number" min="0" value="{{form.get('retry_failed_min', '')}}"></label>
  <button type="submit" id="create-campaign">{{_('Create the campaign')}}</button>
</form>
<p class="muted">{{_('The CSV file needs a number column (number, phone, ...); its other columns are shown to the agent. Calling hours: for example mon-fri 09:00-18:00, sat 10:00-14:00.')}}</p>
<h2 id="dnc">{{_('Do-not-call list')}}</h2>
<form method="post" action="/dialer/dnc" class="form inline" id="dnc-add">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Number')}} <input name="number" required></label>
  <label>{{_('Note')}} <input name="note"></label>
  <button type="submit">{{_('Add')}}</button>
</form>
% if dnc:
<table class="report" id="dnc-list">
  <thead><tr><th>{{_('Number')}}</th><th>{{_('Note')}}</th><th>{{_('Added by')}}</th><th></th></tr></thead>
  <tbody>
% for d in dnc:
    <tr><td>{{d.number}}</td><td>{{d.note}}</td><td>{{d.added_by}}</td>
      <td><form method="post" action="/dialer/dnc/remove" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="number" value="{{d.number}}"><button type="submit">{{_('Remove')}}</button></form></td></tr>
% end
  </tbody>
</table>
% end
