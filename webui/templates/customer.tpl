% # One customer (webui/customers.py): settings, the prepaid account, the invoices.
% rebase('base.tpl', title=title, nav='/customers', refresh=None)
<h1>{{c.name}} <span class="muted">({{c.code}})</span></h1>
<p class="subnav"><a href="/customers">{{_('Customers')}}</a> <a href="/invoices">{{_('Invoices')}}</a></p>
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
% if problem:
<p class="banner warn">{{_('Calls cannot be priced:')}} {{problem}}</p>
% end
% if st is not None:
<h2>{{_('Prepaid account')}}</h2>
% if st['exhausted']:
<p class="banner warn" id="balance-warning">{{_('The balance is exhausted: top the account up.')}}</p>
% elif st['low']:
<p class="banner warn" id="balance-warning">{{_('The balance is below {amount}: top the account up.').format(amount=money(st['low_balance'], st['currency']))}}</p>
% end
<dl class="cards report">
  <div><dt>{{_('Balance')}}</dt><dd id="balance">{{money(st['balance'], st['currency'])}}</dd></div>
  <div><dt>{{_('Top-ups')}}</dt><dd id="topups">{{money(st['topups'], st['currency'])}}</dd></div>
  <div><dt>{{_('Spent')}}</dt><dd id="spent">{{money(st['spent'], st['currency'])}}</dd></div>
</dl>
<form method="post" action="/customers/{{c.id}}/topup" class="form inline" id="topup">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Amount')}} <input name="amount" inputmode="decimal" size="8" required></label>
  <label>{{_('Note')}} <input name="note"></label>
  <button type="submit" id="do-topup">{{_('Top up')}}</button>
</form>
<h3>{{_('Statement')}}</h3>
% if not st['lines']:
<p class="muted">{{_('No top-ups yet.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="statement">
  <thead><tr><th>{{_('Date and time')}}</th><th>{{_('What')}}</th><th>{{_('Number')}}</th><th>{{_('Destination')}}</th><th>{{_('Talk')}}</th><th>{{_('Amount')}}</th><th>{{_('Balance')}}</th></tr></thead>
  <tbody>
% for e in st['lines']:
    <tr><td>{{when(e['at'])}}</td><td>{{_('Top-up') if e['kind'] == 'topup' else _('Call')}}{{(' · ' + e['note']) if e.get('note') else ''}}</td>
      <td>{{e.get('number', '')}}</td><td>{{e.get('destination', '')}}</td><td class="num">{{duration(e['talk_s']) if 'talk_s' in e else ''}}</td>
      <td class="num">{{money(e['amount'], st['currency'])}}</td><td class="num">{{money(e['balance'], st['currency'])}}</td></tr>
% end
  </tbody>
</table></div>
% end
% end
% if margin is not None:
<h2>{{_('Fixed-price contract this month')}}</h2>
% if margin['negative']:
<p class="banner warn" id="margin-warning">{{_('The calls cost more than the fixed fee.')}}</p>
% end
<dl class="cards report">
  <div><dt>{{_('Fixed monthly fee')}}</dt><dd id="fee">{{money(margin['fee'], margin['currency'])}}</dd></div>
  <div><dt>{{_('Buy cost of the calls')}}</dt><dd id="buy">{{money(margin['buy'], margin['currency'])}}</dd></div>
  <div><dt>{{_('Margin')}}</dt><dd id="margin">{{money(margin['margin'], margin['currency'])}}</dd></div>
</dl>
% end
<h2>{{_('Call list')}}</h2>
<form method="get" action="/customers/{{c.id}}/calls.pdf" class="form inline" id="call-list">
  <label>{{_('Month')}} <input type="month" name="month" value="{{month}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label>
  <button type="submit">{{_('PDF')}}</button>
</form>
<h2>{{_('Invoices')}}</h2>
% if not invoices:
<p class="muted">{{_('No invoices yet.')}}</p>
% else:
<ul>
% for i in invoices:
  <li><a href="/invoices/{{i.id}}">{{label(i)}}</a> · {{money(i.total, i.currency)}}</li>
% end
</ul>
% end
<h2>{{_('Settings')}}</h2>
<form method="post" action="/customers/{{c.id}}/edit" class="form" id="edit-customer">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Name')}} <input name="name" required value="{{c.name}}"></label>
  <label>{{_('Extensions')}} <input name="extensions" value="{{' '.join(m['extension'])}}"></label>
  <label>{{_('Account codes')}} <input name="account_codes" value="{{' '.join(m['account'])}}"></label>
  <label>{{_('Price list')}} <select name="price_list"><option value="">{{_('(the only one)')}}</option>
% for code in price_lists:
    <option{{!' selected' if c.price_list == code else ''}}>{{code}}</option>
% end
  </select></label>
  <label>{{_('Currency')}} <input name="currency" size="4" maxlength="3" value="{{c.currency}}"></label>
  <label>{{_('Account')}} <select name="account">
% for key, name in accounts.items():
    <option value="{{key}}"{{!' selected' if c.account == key else ''}}>{{_(name)}}</option>
% end
  </select></label>
  <label>{{_('Low balance')}} <input name="low_balance" inputmode="decimal" size="8" value="{{c.low_balance}}"></label>
  <label>{{_('Fixed monthly fee')}} <input name="monthly_fee" inputmode="decimal" size="8" value="{{c.monthly_fee}}"></label>
  <label>{{_('Tax rate (%)')}} <input name="tax_rate" inputmode="decimal" size="5" value="{{c.tax_rate}}"></label>
  <label>{{_('Country')}} <input name="country" size="3" maxlength="2" placeholder="TR" value="{{c.country}}"></label>
  <label>{{_('Invoice e-mail')}} <input name="email" type="text" size="24" value="{{c.email}}"></label>
  <label>{{_('Invoice language')}} <select name="lang">
% for key, name in langs.items():
    <option value="{{key}}"{{!' selected' if c.lang == key else ''}}>{{name}}</option>
% end
  </select></label>
  <label>{{_('Address')}} <input name="address" value="{{c.address}}"></label>
  <button type="submit" id="save-customer">{{_('Save')}}</button>
</form>
% include('customer_notes.tpl', c=c, csrf=csrf)
