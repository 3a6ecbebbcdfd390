% # Checkout (webui/shop.py): the selected calls, their total and the amount to take, before confirming.
% rebase('base.tpl', title=title, nav='/shop', refresh=None)
<h1>{{_('Checkout')}}</h1>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>#</th><th>{{_('Booth')}}</th><th>{{_('Number')}}</th><th>{{_('Destination')}}</th><th>{{_('Talk')}}</th><th>{{_('Price')}}</th></tr></thead>
  <tbody>
% for c in chosen:
    <tr><td class="num">{{c.id}}</td><td>{{c.booth}}</td><td>{{c.number}}</td><td>{{c.destination}}</td><td class="num">{{duration(c.talk_s)}}</td>
      <td class="num">{{money(c.sell, c.currency)}}{{'' if c in payable else ' · ' + _('already paid')}}</td></tr>
% end
  </tbody>
</table></div>
<dl class="cards checkout">
  <div><dt>{{_('Call charges')}}</dt><dd id="total">{{money(total, currency)}}</dd></div>
  <div><dt>{{_('To take')}}</dt><dd id="to-take">{{money(to_take, currency)}}</dd></div>
% if credit:
  <div><dt>{{_('Deposit held')}}</dt><dd id="deposit">{{money(credit, currency)}}</dd></div>
% end
</dl>
% if payable or items:
<form method="post" action="/shop/pay" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
% for c in payable:
  <input type="hidden" name="call" value="{{c.id}}">
% end
% if items:
  <fieldset id="items"><legend>{{_('Additional items')}}</legend>
% for n, (name, price) in enumerate(items):
  <label>{{name}} ({{money(price, currency)}}) <input name="qty_{{n}}" type="number" min="0" max="100" step="1" size="3" value="0" data-price="{{price}}"></label>
% end
  </fieldset>
  <p class="muted">{{_('Items are added to the amount to take when the payment is confirmed.')}}</p>
% end
  <label>{{_('Amount paid')}} <input name="given" id="given" inputmode="decimal" required value="{{max(to_take - credit, 0)}}"></label>
  <button type="submit" id="confirm">{{_('Confirm payment')}}</button>
  <a href="/shop">{{_('Cancel')}}</a>
</form>
% else:
<p class="muted">{{_('Nothing to pay.')}} <a href="/shop">{{_('Back')}}</a></p>
% end
