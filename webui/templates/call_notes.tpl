% # The call's notes and a form for one more (webui/notes.py); who sees the call sees its notes.
% from webui.notes import call_notes
% from webui.auth import csrf_token
<h2 id="notes">{{_('Notes')}}</h2>
% include('notes_list.tpl', rows=call_notes(call_id), list_id='call-notes', call_links=False)
<form method="post" action="/calls/{{call_id}}/notes" class="form" id="call-note-form">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
  <label>{{_('New note')}} <textarea name="text" rows="3" cols="60" maxlength="4000" required></textarea></label>
  <button type="submit">{{_('Save the note')}}</button>
</form>
