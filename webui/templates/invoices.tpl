% # Invoices and credit notes (webui/invoices.py), newest first, and the form that issues one.
% rebase('base.tpl', title=title, nav='/customers', refresh=None)
<h1>{{_('Invoices')}}</h1>
<p class="subnav"><a href="/customers">{{_('Customers')}}</a> <a href="/invoices" aria-current="page">{{_('Invoices')}}</a> <a href="/pricelists">{{_('Price lists')}}</a></p>
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
<h2>{{_('Issue an invoice')}}</h2>
% if not customers:
<p class="muted">{{_('No customers yet.')}} <a href="/customers">{{_('Customers')}}</a></p>
% else:
<form method="post" action="/invoices/issue" class="form" id="issue">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Customer')}} <select name="customer">
% for c in customers:
    <option value="{{c.code}}">{{c.name}} ({{c.code}})</option>
% end
  </select></label>
  <label>{{_('Month')}} <input type="month" name="month" value="{{month}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label>
  <label>{{_('Other items, one per line: DESCRIPTION=AMOUNT')}} <textarea name="items" rows="2" cols="40"></textarea></label>
  <button type="submit" id="do-issue">{{_('Issue')}}</button>
</form>
<p class="muted">{{_('An issued invoice cannot be changed; a credit note corrects it.')}}</p>
% end
% if not rows:
<p class="muted">{{_('No invoices yet.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="invoices">
  <thead><tr><th>{{_('Number')}}</th><th>{{_('Customer')}}</th><th>{{_('Period')}}</th><th>{{_('Issued')}}</th><th>{{_('Total')}}</th></tr></thead>
  <tbody>
% for i, code, name in rows:
    <tr><td><a href="/invoices/{{i.id}}">{{label(i)}}</a>{{(' · ' + _('credit note')) if i.kind == 'credit' else ''}}</td><td>{{name}} ({{code}})</td>
      <td>{{day(i.since_utc)}} – {{day(i.until_utc - 1)}}</td><td>{{at(i.issued_utc)}}</td><td class="num">{{money(i.total, i.currency)}}</td></tr>
% end
  </tbody>
</table></div>
% end
