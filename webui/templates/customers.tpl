% # The customers (webui/customers.py): the list and the form for a new one.
% rebase('base.tpl', title=title, nav='/customers', refresh=None)
<h1>{{_('Customers')}}</h1>
<p class="subnav"><a href="/customers" aria-current="page">{{_('Customers')}}</a> <a href="/invoices">{{_('Invoices')}}</a> <a href="/pricelists">{{_('Price lists')}}</a></p>
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
% if not rows:
<p class="muted">{{_('No customers yet.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="customers">
  <thead><tr><th>{{_('Code')}}</th><th>{{_('Name')}}</th><th>{{_('Account')}}</th><th>{{_('Extensions')}}</th><th>{{_('Account codes')}}</th><th>{{_('Price list')}}</th></tr></thead>
  <tbody>
% for c, m in rows:
    <tr><td><a href="/customers/{{c.id}}">{{c.code}}</a></td><td>{{c.name}}</td><td>{{_(accounts[c.account])}}</td>
      <td>{{' '.join(m['extension'])}}</td><td>{{' '.join(m['account'])}}</td><td>{{c.price_list}}</td></tr>
% end
  </tbody>
</table></div>
% end
<h2>{{_('New customer')}}</h2>
<form method="post" action="/customers" class="form" id="new-customer">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Code')}} <input name="code" required pattern="[a-z0-9][a-z0-9_.\-]{0,39}" value="{{form.get('code', '')}}"></label>
  <label>{{_('Name')}} <input name="name" required value="{{form.get('name', '')}}"></label>
  <label>{{_('Extensions')}} <input name="extensions" value="{{form.get('extensions', '')}}" placeholder="301 302"></label>
  <label>{{_('Account codes')}} <input name="account_codes" value="{{form.get('account_codes', '')}}"></label>
  <label>{{_('Price list')}} <select name="price_list"><option value="">{{_('(the only one)')}}</option>
% for code in price_lists:
    <option{{!' selected' if form.get('price_list') == code else ''}}>{{code}}</option>
% end
  </select></label>
  <label>{{_('Currency')}} <input name="currency" size="4" maxlength="3" value="{{form.get('currency', '')}}" placeholder="TRY"></label>
  <label>{{_('Account')}} <select name="account">
% for key, name in accounts.items():
    <option value="{{key}}"{{!' selected' if form.get('account', 'postpaid') == key else ''}}>{{_(name)}}</option>
% end
  </select></label>
  <label>{{_('Low balance')}} <input name="low_balance" inputmode="decimal" size="8" value="{{form.get('low_balance', '')}}"></label>
  <label>{{_('Fixed monthly fee')}} <input name="monthly_fee" inputmode="decimal" size="8" value="{{form.get('monthly_fee', '')}}"></label>
  <label>{{_('Tax rate (%)')}} <input name="tax_rate" inputmode="decimal" size="5" value="{{form.get('tax_rate', '')}}"></label>
  <label>{{_('Country')}} <input name="country" size="3" maxlength="2" placeholder="TR" value="{{form.get('country', '')}}"></label>
  <label>{{_('Invoice e-mail')}} <input name="email" type="text" size="24" value="{{form.get('email', '')}}"></label>
  <label>{{_('Invoice language')}} <select name="lang">
% for key, name in langs.items():
    <option value="{{key}}"{{!' selected' if form.get('lang', 'en') == key else ''}}>{{name}}</option>
% end
  </select></label>
  <label>{{_('Address')}} <input name="address" value="{{form.get('address', '')}}"></label>
  <button type="submit" id="add-customer">{{_('Add')}}</button>
</form>
