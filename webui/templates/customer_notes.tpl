% # A customer's numbers, notes address and notes (webui/notes.py), on the customer page.
% from webui.notes import customer_box
% box = customer_box(c.id)
% k = box['contact']
<h2 id="notes">{{_('Notes')}}</h2>
<form method="post" action="/customer-notes/{{c.id}}" class="form" id="customer-note-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('New note')}} <textarea name="text" rows="3" cols="60" maxlength="4000" required></textarea></label>
  <label>{{_('Number')}} <input name="number" size="16"></label>
  <button type="submit">{{_('Save the note')}}</button>
</form>
% if k.notes_email:
<p class="muted small">{{_('A copy of every note is e-mailed to {address}.').format(address=k.notes_email)}}</p>
% end
% include('notes_list.tpl', rows=box['notes'], list_id='customer-notes')
<h2>{{_('Numbers and messages')}}</h2>
<form method="post" action="/customer-notes/{{c.id}}/contact" class="form" id="customer-contact">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('Phone numbers, comma-separated (their callers)')}} <input name="numbers" size="40" value="{{', '.join(k.numbers)}}"></label>
  <label>{{_('E-mail for a copy of the notes')}} <input name="notes_email" type="email" size="30" value="{{k.notes_email}}"></label>
  <label>{{_('SMS number')}} <input name="sms_number" size="16" value="{{k.sms_number}}"></label>
  <button type="submit">{{_('Save')}}</button>
</form>
<p><a href="/messages?customer={{c.id}}">{{_('Messages to this customer')}}</a></p>
