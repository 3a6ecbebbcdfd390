% # One invoice or credit note (webui/invoices.py): its lines and totals, the PDF, the credit note form.
% rebase('base.tpl', title=title, nav='/customers', refresh=None)
<h1>{{_('Credit note') if inv.kind == 'credit' else _('Invoice')}} {{label(inv)}}</h1>
<p class="subnav"><a href="/customers">{{_('Customers')}}</a> <a href="/invoices">{{_('Invoices')}}</a></p>
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
<p>{{_('Customer')}}: <a href="/customers/{{c.id}}">{{c.name}} ({{c.code}})</a> · {{_('Period')}}: {{day(inv.since_utc)}} – {{day(inv.until_utc - 1)}} · {{_('Issued')}}: {{at(inv.issued_utc)}}</p>
% if of is not None:
<p>{{_('Corrects')}} <a href="/invoices/{{of.id}}">{{label(of)}}</a>: {{inv.note}}</p>
% end
% if credit is not None:
<p class="banner">{{_('Credited by')}} <a href="/invoices/{{credit.id}}">{{label(credit)}}</a></p>
% end
<p><a href="/invoices/{{inv.id}}.pdf" id="pdf" download>{{_('PDF')}}</a></p>
<div class="scroll" tabindex="0"><table id="lines">
  <thead><tr><th>{{_('Date and time')}}</th><th>{{_('Number')}}</th><th>{{_('Description')}}</th><th>{{_('Talk')}}</th><th>{{_('Amount')}}</th></tr></thead>
  <tbody>
% for line in lines:
    <tr><td>{{when(line.start) if line.start else ''}}</td><td>{{line.number}}</td><td>{{line.description}}</td>
      <td class="num">{{duration(line.talk_s) if line.call_id is not None else ''}}</td><td class="num">{{money(line.amount, inv.currency)}}</td></tr>
% end
  </tbody>
</table></div>
<dl class="cards report">
  <div><dt>{{_('Net')}}</dt><dd id="net">{{money(inv.net, inv.currency)}}</dd></div>
  <div><dt>{{_('Tax')}} ({{inv.tax_rate}} %)</dt><dd id="tax">{{money(inv.tax, inv.currency)}}</dd></div>
  <div><dt>{{_('Total')}}</dt><dd id="total">{{money(inv.total, inv.currency)}}</dd></div>
</dl>
% if inv.kind == 'invoice' and credit is None:
<h2>{{_('Credit note')}}</h2>
<form method="post" action="/invoices/{{inv.id}}/credit" class="form" id="credit">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Reason')}} <input name="reason" required size="40"></label>
  <button type="submit" id="do-credit">{{_('Issue a credit note for the whole invoice')}}</button>
</form>
% end
