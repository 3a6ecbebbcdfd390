% # The tenant administrator's forms on /directory: a new person, the branches/departments/cost centres, the CSV file.
% f = form or {}
% labels = (('branch', _('Branch')), ('department', _('Department')), ('cost_centre', _('Cost centre')))
<details class="edit"{{!' open' if f.get('external_id') is not None else ''}}><summary>{{_('Add a person')}}</summary>
<form method="post" action="/directory/person/new" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>{{_('Id')}} <input name="external_id" value="{{f.get('external_id', '')}}" required size="10"></label>
  <label>{{_('First name')}} <input name="first_name" value="{{f.get('first_name', '')}}"></label>
  <label>{{_('Last name')}} <input name="last_name" value="{{f.get('last_name', '')}}"></label>
  <label>{{_('E-mail')}} <input name="email" type="email" value="{{f.get('email', '')}}"></label>
% for kind, label in labels:
  <label>{{label}} <select name="{{kind}}"><option value="">—</option>
% for id_, name in choices[kind]:
    <option value="{{id_}}"{{!' selected' if str(id_) == f.get(kind) else ''}}>{{name}}</option>
% end
  </select></label>
% end
  <label>{{_('Extension')}} <input name="extension" value="{{f.get('extension', '')}}" size="8"></label>
  <label>{{_('From')}} <input name="date" type="date" value="{{f.get('date') or today}}" required></label>
  <button type="submit">{{_('Add')}}</button>
</form>
</details>
<details class="edit"{{!' open' if f.get('kind') is not None else ''}}><summary>{{_('Branches, departments and cost centres')}}</summary>
<form method="post" action="/directory/units" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>{{pgettext('organisation unit', 'Kind')}} <select name="kind">
% for kind, label in labels:
    <option value="{{kind}}"{{!' selected' if f.get('kind') == kind else ''}}>{{label}}</option>
% end
  </select></label>
  <label>{{_('Name')}} <input name="name" value="{{f.get('name', '') if not f.get('id') else ''}}" required></label>
  <button type="submit">{{_('Add')}}</button>
</form>
% for kind, label in labels:
% if choices[kind]:
<form method="post" action="/directory/units" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <input type="hidden" name="kind" value="{{kind}}">
  <label>{{label}} <select name="id">
% for id_, name in choices[kind]:
    <option value="{{id_}}"{{!' selected' if str(id_) == f.get('id') and f.get('kind') == kind else ''}}>{{name}}</option>
% end
  </select></label>
  <label>{{_('New name')}} <input name="name" value="{{f.get('name', '') if f.get('id') and f.get('kind') == kind else ''}}" required></label>
  <button type="submit">{{_('Rename')}}</button>
</form>
% end
% end
<p class="muted small">{{_('A name is a label: reports of earlier periods show the new name too. Who worked where, and when, is each person’s history.')}}</p>
</details>
<details class="edit"{{!' open' if get('error') and not f else ''}}><summary>{{_('Load a directory file')}}</summary>
<form method="post" action="/directory/import" enctype="multipart/form-data" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="tenant" value="{{tenant.code}}">
  <label>{{_('CSV file')}} <input type="file" name="file" accept=".csv,text/csv" required></label>
  <button type="submit">{{_('Load')}}</button>
</form>
<p class="muted small">{{_('Columns person_id, first_name, last_name, extensions, email, branch, department, cost_centre, valid_from (optional); UTF-8. People are added and updated, moves dated from valid_from or now, nobody is ended; a file with unreadable rows is refused whole.')}}</p>
</details>
