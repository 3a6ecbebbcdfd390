% # Factory reset (webui/admin/reset.py): the administrator's own password and a typed word; nothing is kept.
% rebase('base.tpl', title=_('Factory reset'), nav='/setup', refresh=None)
<h1>{{_('Factory reset')}}</h1>
% if error:
<p class="banner warn" id="reset-error">{{error}}</p>
% end
% if done:
<p class="banner ok" id="reset-done">{{_('The box was reset. It starts again as a new box: its console shows a new setup code for the first-boot wizard.')}}</p>
% else:
<p class="banner down">{{_('This erases every call, the journal, every user, the directory, the tariffs, the settings and the certificates of this box. Make a backup first if you may need any of it.')}} <a href="/backup">{{_('Backup')}}</a></p>
<form method="post" action="/reset" class="form" id="reset-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Your password')}}<br><input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
  <p><label>{{_('Type {word} to confirm').format(word=confirm)}}<br><input name="confirm" id="confirm" autocomplete="off" required></label></p>
  <p><button type="submit" id="reset">{{_('Erase everything and start again')}}</button></p>
</form>
% end
