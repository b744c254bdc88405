W0007nycsa
f a BC-US--Quake-Alaska APNewsAlert   11-30 0030
^BC-US--Quake-Alaska, APNewsAlert,30<
^APNewsAlert<
	   ANCHORAGE, Alaska (AP) _ U.S. Geological Survey: Magnitude 7.1 earthquake strikes near Anchorage; tsunami warning issued.

	   AP-WF-11-30-18 1730GMT<


