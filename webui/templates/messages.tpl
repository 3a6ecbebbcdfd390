% # Messages to customers (webui/messages.py): the month's accounting per customer, then every message with its state.
% rebase('base.tpl', title=title, nav='/messages', refresh=None)
<h1>{{title}}</h1>
<form method="get" action="/messages" class="form inline" id="messages-month">
  <label>{{_('Month')}} <input type="month" name="month" value="{{month}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label>
% if customer:
  <input type="hidden" name="customer" value="{{customer.id}}">
% end
  <button type="submit">{{_('Show')}}</button>
</form>
<h2>{{_('Per customer')}}</h2>
% if not totals:
<p class="muted" id="no-totals">{{_('No messages in this month.')}}</p>
% else:
<table class="report" id="message-totals">
  <thead><tr><th>{{_('Customer')}}</th><th>{{_('SMS sent')}}</th><th>{{_('SMS units')}}</th><th>{{_('SMS waiting')}}</th><th>{{_('E-mails sent')}}</th><th>{{_('Failed')}}</th></tr></thead>
  <tbody>
% for t in totals:
  <tr><td>
% if t.customer_id:
    <a href="/customers/{{t.customer_id}}">{{t.name}}</a>
% else:
    {{_('(callers of no customer)')}}
% end
    </td>
    <td class="num">{{t.sms}}</td><td class="num sms-units">{{t.sms_units}}</td><td class="num">{{t.sms_open}}</td><td class="num">{{t.emails}}</td><td class="num">{{t.failed}}</td></tr>
% end
  </tbody>
</table>
<p class="muted small">{{_('An SMS unit is one SMS as the gateway bills it: 160 characters (70 with characters outside the GSM alphabet), 153 (67) a part of a longer text.')}}</p>
% end
<h2>{{_('Messages of {customer}').format(customer=customer.name) if customer else _('All messages')}}</h2>
% if not rows:
<p class="muted" id="no-messages">{{_('No messages in this month.')}}</p>
% else:
<div class="scroll"><table class="report" id="message-list">
  <thead><tr><th>{{_('Queued')}}</th><th>{{_('Channel')}}</th><th>{{_('Rule')}}</th><th>{{_('Customer')}}</th><th>{{_('Sender')}}</th><th>{{_('To')}}</th><th>{{_('Text or subject')}}</th><th>{{_('Units')}}</th><th>{{_('State')}}</th></tr></thead>
  <tbody>
% for r in rows:
% cust = names.get(r.customer_id)
  <tr><td>{{at(r.created_utc)}}</td><td>{{_(channels.get(r.channel, r.channel))}}</td><td>{{_(rules.get(r.rule, r.rule))}}</td>
    <td>{{cust.name if cust else ''}}</td><td>{{r.sender}}</td><td>{{r.recipient}}</td><td>{{r.text}}</td>
    <td class="num">{{'%d (%s, %d)' % (r.units, r.encoding.upper(), r.chars) if r.channel == 'sms' else ''}}</td>
    <td class="msg-state state-{{r.status}}" title="{{r.error}}">{{_(status[r.status])}}{{(' · ' + r.error[:80]) if r.status == 'failed' and r.error else ''}}</td></tr>
% end
  </tbody>
</table></div>
% if capped:
<p class="muted">{{_('Only the newest {n} are shown.').format(n=len(rows))}}</p>
% end
% end
<p><a href="/outbox">{{_('Outbox')}}</a></p>
