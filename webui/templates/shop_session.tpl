% # A session's closing report (webui/shop.py): its figures and every call.
% rebase('base.tpl', title=title, nav='/shop', refresh=None)
<h1>{{title}}</h1>
<p class="subnav"><a href="/shop">{{_('Cashier')}}</a> <a href="/shop/sessions">{{_('Sessions')}}</a></p>
<p>{{_('Cashier')}}: {{session.operator}} · {{_('Opened')}}: {{at(session.opened_utc)}} · {{_('Closed')}}: {{at(session.closed_utc) if session.closed_utc else _('open')}}</p>
% f = report if session.closed_utc else figures
<dl class="cards report">
  <div><dt>{{_('Calls')}}</dt><dd id="calls">{{f['calls']}}</dd></div>
  <div><dt>{{_('Minutes')}}</dt><dd id="minutes">{{number(f['minutes'], 2)}}</dd></div>
  <div><dt>{{_('Cash')}}</dt><dd id="cash">{{money(f['cash'], session.currency)}}</dd></div>
  <div><dt>{{_('Unpaid')}}</dt><dd id="unpaid">{{f['unpaid']}}</dd></div>
  <div><dt>{{_('Unserved')}}</dt><dd id="unserved">{{f['unserved']}}</dd></div>
</dl>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>#</th><th>{{_('Booth')}}</th><th>{{_('Start')}}</th><th>{{_('Number')}}</th><th>{{_('Destination')}}</th><th>{{_('Talk')}}</th><th>{{_('Price')}}</th><th>{{_('Status')}}</th></tr></thead>
  <tbody>
% for c in calls:
    <tr class="{{c.status}}"><td class="num">{{c.id}}</td><td>{{c.booth}}</td><td>{{when(c.start)}}</td><td>{{c.number}}</td><td>{{c.destination}}</td>
      <td class="num">{{duration(c.talk_s)}}</td><td class="num">{{money(c.sell, c.currency)}}</td><td>{{_(statuses[c.status])}}</td></tr>
% end
  </tbody>
</table></div>
