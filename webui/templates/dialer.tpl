% # The agent's dialer page (webui/dialer.py, issue 16, CC-6): join a campaign, the contact, call, set the result.
% rebase('base.tpl', title=title, nav='/dialer', refresh=refresh)
<h1>{{title}}</h1>
% if supervisor:
<p class="subnav"><a href="/dialer" aria-current="page">{{_('Dialer')}}</a> <a href="/dialer/campaigns">{{_('Campaigns')}}</a></p>
% end
% if done:
<p class="banner ok" id="dialer-done">{{_(done)}}</p>
% end
% if error:
<p class="banner warn" id="dialer-error">{{_(error)}}</p>
% end
% if not extensions:
<p class="muted" id="dialer-no-extension">{{_('No extension of yours is in the directory: you cannot take campaign calls.')}}</p>
% elif joined is None:
<h2>{{_('Campaigns')}}</h2>
% if not campaigns:
<p class="muted" id="dialer-none">{{_('No campaign is running now.')}}</p>
% else:
<table class="report" id="dialer-campaigns">
  <thead><tr><th>{{_('Campaign')}}</th><th>{{_('Mode')}}</th><th>{{_('Calling hours')}}</th><th></th></tr></thead>
  <tbody>
% for c in campaigns:
  <tr><td>{{c.name}}</td><td>{{_(modes[c.mode])}}</td><td>{{c.windows}} ({{c.timezone}})</td>
    <td><form method="post" action="/dialer/join" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="campaign" value="{{c.id}}">
% if len(extensions) > 1:
      <select name="extension" aria-label="{{_('Extension')}}">
% for e in extensions:
        <option>{{e}}</option>
% end
      </select>
% else:
      <input type="hidden" name="extension" value="{{extensions[0]}}">
% end
      <button type="submit" class="join">{{_('Join')}}</button></form></td></tr>
% end
  </tbody>
</table>
% end
% else:
<section id="dialer-campaign">
<h2>{{joined.name}} <small>({{_(modes[joined.mode])}} · {{_('extension %(ext)s') % {'ext': agent.extension} }})</small></h2>
<p>
% if open_now:
  <span class="banner ok" id="dialer-window">{{_('Calling hours now.')}}</span>
% elif window is not None:
  <span class="banner warn" id="dialer-window">{{_('Outside calling hours: they open %(when)s.') % {'when': when(window)} }}</span>
% else:
  <span class="banner warn" id="dialer-window">{{_('Outside calling hours.')}}</span>
% end
</p>
<form method="post" action="/dialer/leave" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><button type="submit" id="dialer-leave">{{_('Leave the campaign')}}</button></form>
% if joined.mode == 'progressive':
<form method="post" action="/dialer/ready" class="inline" id="dialer-ready-form"><input type="hidden" name="csrf_token" value="{{csrf}}">
% if agent.ready:
  <strong class="state-ready" id="dialer-ready-state">{{_('Ready')}}</strong> <button type="submit" name="ready" value="0" id="dialer-not-ready">{{_('Not ready')}}</button>
% else:
  <strong class="state-paused" id="dialer-ready-state">{{_('Not ready')}}</strong> <button type="submit" name="ready" value="1" id="dialer-ready">{{_('Ready')}}</button>
% end
</form>
% end
</section>
% if contact is None:
<p class="muted" id="dialer-no-contact">{{_('No number for you now: the next one appears here by itself.') if open_now else _('No number is dialled outside calling hours.')}}</p>
% else:
<section id="dialer-contact" data-state="{{contact.state}}">
<h2>{{contact.number}}</h2>
<p id="dialer-contact-state" class="state-{{contact.state}}">{{_(states[contact.state])}}</p>
<table class="report" id="dialer-fields">
  <tbody>
% for k, v in fields.items():
  <tr><th>{{k}}</th><td>{{v}}</td></tr>
% end
  <tr><th>{{_('Attempts')}}</th><td class="num">{{contact.attempts}}</td></tr>
  </tbody>
</table>
% if contact.state == 'reserved':
<form method="post" action="/dialer/call" id="dialer-call-form"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="contact" value="{{contact.id}}">
  <button type="submit" id="dialer-call"{{!'' if open_now else ' disabled'}}>{{_('Call %(number)s') % {'number': contact.number} }}</button></form>
% elif contact.state == 'connected':
<form method="post" action="/dialer/result" class="form" id="dialer-result-form"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="contact" value="{{contact.id}}">
  <label>{{_('Result')}} <select name="result" id="dialer-result" required>
    <option value="">–</option>
% for r in results:
    <option>{{r}}</option>
% end
  </select></label>
  <label>{{_('Note')}} <textarea name="note" id="dialer-note" rows="3" cols="50" maxlength="4000"></textarea></label>
  <button type="submit" id="dialer-save">{{_('Save the result')}}</button>
</form>
% end
</section>
% end
% if last is not None:
<p class="muted" id="dialer-last">{{_('Last call: %(number)s, %(outcome)s.') % {'number': last.contact.number, 'outcome': _(outcomes[last.outcome])} }}
% if last.outcome in ('busy', 'no_answer', 'failed') and last.contact.state == 'pending':
{{_('It is tried again later.')}}
% end
</p>
% end
% end
