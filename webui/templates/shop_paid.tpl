% # After a payment (webui/shop.py): what was taken and the change due.
% rebase('base.tpl', title=title, nav='/shop', refresh=None)
<h1>{{_('Paid')}}</h1>
<p class="banner ok">{{ngettext('{n} call paid.', '{n} calls paid.', len(paid)).format(n=fmt_number(len(paid)))}}</p>
<dl class="cards checkout">
  <div><dt>{{_('Call charges')}}</dt><dd id="total">{{money(total, currency)}}</dd></div>
% if items_total:
  <div><dt>{{_('Additional items')}}</dt><dd id="items-total">{{money(items_total, currency)}}</dd></div>
% end
  <div><dt>{{_('To take')}}</dt><dd id="to-take">{{money(to_take, currency)}}</dd></div>
% if credit:
  <div><dt>{{_('Deposit held')}}</dt><dd id="deposit">{{money(credit, currency)}}</dd></div>
% end
  <div><dt>{{_('Amount paid')}}</dt><dd id="given">{{money(given, currency)}}</dd></div>
  <div><dt>{{_('Change due')}}</dt><dd id="change">{{money(change, currency)}}</dd></div>
</dl>
<p><a class="button" href="/shop/receipt/{{receipt['payment']}}.pdf" id="receipt">{{_('Receipt (80 mm PDF)')}}</a>
  <a class="button" href="/shop">{{_('Back to the cashier page')}}</a></p>
