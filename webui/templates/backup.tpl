% # The Backup page (webui/admin/backup.py): the passphrase is never stored; restore is a command on the new box.
% rebase('base.tpl', title=_('Backup'), nav='/setup', refresh=None)
<h1>{{_('Backup')}}</h1>
% if error:
<p class="banner warn" id="backup-error">{{error}}</p>
% end
<p>{{_('Download an encrypted backup of this box: its configuration, users, directory and tariffs, and if you choose, its calls and raw journal. Keep the passphrase: without it the backup cannot be read.')}}</p>
<form method="post" action="/backup" class="form" id="backup-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Passphrase (at least {n} characters)').format(n=min_passphrase)}}<br><input name="passphrase" id="passphrase" type="password" autocomplete="new-password" required minlength="{{min_passphrase}}"></label></p>
  <p><label>{{_('Passphrase again')}}<br><input name="passphrase2" id="passphrase2" type="password" autocomplete="new-password" required></label></p>
  <p><label class="check"><input type="checkbox" name="calls" value="1" id="calls"> {{_('Include the calls')}}</label></p>
  <p><label class="check"><input type="checkbox" name="journal" value="1" id="journal"> {{_('Include the raw journal (the calls can be derived from it again)')}}</label></p>
  <p><button type="submit" id="download">{{_('Download the backup')}}</button></p>
</form>
<p class="muted">{{_('To restore it, on the new box before its first start:')}} <code>callbox backup restore --data /var/lib/callbox FILE</code></p>
