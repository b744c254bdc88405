W1042nycsa
r i BC-EU--Storm-Ports   01-14 0420
^BC-EU--Storm-Ports,420<
^Storm closes North Sea ports as ferries stay in harbour<
^AP Photo HAM101, HAM102<
^Eds: Moves on general news and international lines.<
^By HANNA KOLB=
^Associated Press=
	   HAMBURG, Germany (AP) _ A winter storm closed the ports of Hamburg and Rotterdam on Tuesday, leaving ferries in harbour and stranding ``hundreds of trucks'' on the approach roads.
	   The German weather service warned of gusts of up to 140 kph (87 mph) along the coast
through Wednesday morning.
	   ___
	   Mike Corder in The Hague contributed.

	   AP-WF-01-14-25 0912GMT<


