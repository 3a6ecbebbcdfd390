% # The call-centre pages' own links (issue 15).
<p class="subnav">
% for href, text in (('/callcentre', _('Queue summary')), ('/callcentre/reports', _('Call-centre reports')), ('/wallboard', _('Open the live wallboard'))):
% if href == here:
<strong>{{text}}</strong>
% else:
<a href="{{href}}">{{text}}</a>
% end
% if href != '/wallboard':
 · 
% end
% end
</p>
