% # The SSH page (webui/admin/ssh.py): public keys and SSH on or off, with the administrator's own password.
% rebase('base.tpl', title=_('SSH access'), nav='/setup', refresh=None)
<h1>{{_('SSH access')}}</h1>
% if error:
<p class="banner warn" id="ssh-error">{{error}}</p>
% end
% if done:
<p class="banner ok" id="ssh-done">{{done}}</p>
% end
<p>{{_('SSH is for maintenance only and is off until you turn it on here. No password ever works: only the public keys below log in, as the user {user}; root never logs in.').format(user=user)}}</p>
<table class="grid" id="ssh-state">
  <tr><th>{{_('Setting')}}</th><td id="ssh-setting">{{_('on') if enabled else _('off')}}</td></tr>
% if applied:
  <tr><th>{{_('SSH server')}}</th><td id="ssh-running">{{_('running') if applied.get('running') else _('stopped')}} <small class="muted">({{applied.get('at', '')}})</small></td></tr>
%   if applied.get('refused'):
  <tr><th>{{_('Refused keys')}}</th><td class="warn">{{applied.get('refused')}}</td></tr>
%   end
%   for line in applied.get('host_keys') or []:
  <tr><th>{{_('Host key')}}</th><td><code class="host-key">{{line}}</code></td></tr>
%   end
% else:
  <tr><th>{{_('SSH server')}}</th><td id="ssh-running" class="muted">{{_('not on this box (not an appliance image), or not started yet')}}</td></tr>
% end
</table>
% if enabled and applied.get('host_keys'):
<p>{{_('Log in with: ssh {user}@{address}. At the first connection, compare the host key fingerprint ssh shows with the ones above.').format(user=user, address=address)}}</p>
% end
% if keys:
<h2>{{_('Keys that may log in')}}</h2>
<div class="scroll" tabindex="0"><table class="grid" id="ssh-keys">
  <tr><th>{{pgettext('ssh key', 'Type')}}</th><th>{{_('Bits')}}</th><th>{{_('Fingerprint')}}</th><th>{{_('Comment')}}</th></tr>
%   for k in keys:
  <tr><td>{{k['type']}}</td><td class="num">{{k['bits']}}</td><td><code>{{k['fingerprint']}}</code></td><td>{{k['comment']}}</td></tr>
%   end
</table></div>
% end
<form method="post" action="/ssh" class="form" id="ssh-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Public keys, one a line (the .pub file: ssh-ed25519, ECDSA, or RSA of at least 3072 bits)')}}<br>
    <textarea name="keys" id="keys" rows="6" cols="60" spellcheck="false" autocomplete="off">{{pasted}}</textarea></label></p>
  <p><label><input type="checkbox" name="enabled" id="enabled" value="on"{{!' checked' if enabled else ''}}> {{_('SSH on')}}</label></p>
  <p><label>{{_('Your password')}}<br><input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit" id="save">{{_('Save')}}</button></p>
</form>
